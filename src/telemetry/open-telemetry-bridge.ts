/**
 * A running bridge from this package's `node:diagnostics_channel` events to OpenTelemetry, returned by
 * `enableOpenTelemetry(...)`. `using bridge = await enableOpenTelemetry()` disables it at the end of the scope.
 */
export interface OpenTelemetryBridge extends Disposable {
  /** Whether it still records (`false` after {@link OpenTelemetryBridge.disable}). */
  readonly enabled: boolean;
  /**
   * Stops recording: unsubscribes from every channel and removes the gauges' callbacks, so nothing more is
   * exported. Idempotent. Instruments already created stay with the meter (OpenTelemetry cannot delete them).
   */
  disable(): void;
}
