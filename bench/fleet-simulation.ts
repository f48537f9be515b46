import { computeRefreshSchedule, SECRET_CACHE_DEFAULTS, type RefreshSchedulePolicy } from '../src/cache/index.js';
import { seededRandom } from './lib/measure.js';

/** Options of {@link runFleetSimulation}. */
export interface FleetSimulationOptions {
  /** Processes in the fleet, each with its own cache. */
  processes: number;
  /** Seed of the PRNG (the figures are reproducible). */
  seed: number;
}

/** How a process draws the jitter added to each scheduled refresh. */
export type JitterMode = 'per-refresh' | 'none' | 'per-process';

/** Figures of one jitter mode. */
export interface FleetJitterFigures {
  mode: JitterMode;
  /** Highest number of GetSecretValue calls in one wall-clock second within ±1 h of the rotation. */
  peakKmsQps: number;
  /** Seconds in which at least one call fell (how widely the load spreads). */
  busySeconds: number;
  /** Calls in the window (about one per process). */
  callsInWindow: number;
}

/** Result of {@link runFleetSimulation}. */
export interface FleetSimulationResult {
  processes: number;
  jitterMaxMs: number;
  modes: FleetJitterFigures[];
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * Peak KMS QPS across a fleet after a rotation, in virtual time, using the cache's own pure schedule
 * function (`computeRefreshSchedule` from src/cache, defaults 6 h / 5 min / 0-10 min jitter). Each process
 * started at a random moment of the 6 h before the simulation and refreshes whenever its schedule says;
 * the secret's NextRotationDate lies 12 h after the start. Modes: our jitter, drawn anew for every refresh;
 * no jitter; and the official providers' jitter, drawn once per process (Python/Go 0-10 min).
 */
export function runFleetSimulation(options: FleetSimulationOptions): FleetSimulationResult {
  const policy: RefreshSchedulePolicy = {
    rotationIntervalMs: SECRET_CACHE_DEFAULTS.rotationIntervalMs,
    delayIntervalMs: SECRET_CACHE_DEFAULTS.delayIntervalMs,
    defaultTtlMs: SECRET_CACHE_DEFAULTS.defaultTtlMs,
  };
  const jitterMaxMs = SECRET_CACHE_DEFAULTS.jitterMaxMs;
  const startMs = 0;
  const rotationMs = startMs + 12 * HOUR_MS;
  const windowStart = rotationMs - HOUR_MS;
  const windowEnd = rotationMs + HOUR_MS;
  const modes: FleetJitterFigures[] = [];
  for (const mode of ['per-refresh', 'none', 'per-process'] as const) {
    const random = seededRandom(options.seed);
    const perSecond = new Map<number, number>();
    let calls = 0;
    for (let p = 0; p < options.processes; p++) {
      const processJitter = Math.floor(random() * jitterMaxMs);
      const draw = () => (mode === 'none' ? 0 : mode === 'per-process' ? processJitter : Math.floor(random() * jitterMaxMs));
      // The first load happened when the process started; then it follows its own schedule.
      let nowMs = startMs - Math.floor(random() * policy.rotationIntervalMs);
      while (nowMs < windowEnd) {
        if (nowMs >= windowStart) {
          const second = Math.floor(nowMs / 1000);
          perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
          calls++;
        }
        // Before the rotation KMS announces it; afterwards the next one is a full period away.
        const nextRotationDateMs = nowMs < rotationMs ? rotationMs : rotationMs + 7 * 24 * HOUR_MS;
        nowMs = computeRefreshSchedule({ nowMs, rotatingAccessKey: true, nextRotationDateMs, jitterMs: draw() }, policy).dueAtMs;
      }
    }
    modes.push({ mode, peakKmsQps: Math.max(0, ...perSecond.values()), busySeconds: perSecond.size, callsInWindow: calls });
  }
  return { processes: options.processes, jitterMaxMs, modes };
}
