import { systemClock, type Clock } from '../runtime/clock.js';

/** The stage that marks a secret's current version. */
export const ACS_CURRENT = 'ACSCurrent';
/** The stage that marks the version before the current one. */
export const ACS_PREVIOUS = 'ACSPrevious';

/**
 * One version of a secret as the emulators serve it: plain data, dates as epoch ms, `extendedConfig` as the
 * JSON text the services send. Each emulator encodes it in its own wire format (protobuf for LocalDkms,
 * JSON for LocalKms). Records returned by {@link SecretStore} are frozen snapshots.
 */
export interface SecretVersionRecord {
  secretName: string;
  /** `Generic`, `RAMCredentials`, ... */
  secretType: string;
  /** The secret value. */
  secretData: string;
  /** `text` or `binary`. */
  secretDataType: string;
  /** Opaque id of this version (32 digits, increasing per store). */
  versionId: string;
  /** `['ACSCurrent']`, `['ACSPrevious']`, or `[]` for older versions. */
  versionStages: readonly string[];
  /** When this version was created, epoch ms. */
  createTimeMs: number;
  /** `ExtendedConfig` JSON text, sent only when the request asks for it. May be deliberately malformed. */
  extendedConfig?: string;
  /** `Enabled` / `Disabled`; undefined for secrets without rotation settings (generic secrets). */
  automaticRotation?: string;
  /** Rotation period in ms (the wire format is `<seconds>s`); only when rotation is enabled. */
  rotationIntervalMs?: number;
  /** Last rotation time of the secret, epoch ms. */
  lastRotationDateMs?: number;
  /** Next scheduled rotation, epoch ms; only when rotation is enabled. */
  nextRotationDateMs?: number;
}

/** Input of {@link SecretStore.setSecret}. */
export interface SecretInput {
  secretData: string;
  /** Default `Generic`. */
  secretType?: string;
  /** Default `text`. */
  secretDataType?: string;
  /** Object (serialized with `JSON.stringify`) or raw JSON text (to test malformed values). */
  extendedConfig?: string | Record<string, unknown>;
  /** When given, automatic rotation is `Enabled` with this period and the next rotation is `now + interval`. */
  rotationIntervalMs?: number;
}

/** Input of {@link SecretStore.setRamCredential}. */
export interface RamCredentialInput {
  accessKeyId: string;
  /** Secret. */
  accessKeySecret: string;
  /** When given, automatic rotation is `Enabled` with this period. */
  rotationIntervalMs?: number;
  /** RAM user name in `ExtendedConfig`; default `ram-user`. */
  userName?: string;
}

/** New value of a rotated secret: raw `SecretData`, or a new AccessKey for a RAM credential secret. */
export type RotationInput = string | { accessKeyId: string; accessKeySecret: string };

/** Which version {@link SecretStore.getVersion} returns. */
export interface VersionSelector {
  /** Default `ACSCurrent` when `versionId` is not given either. */
  versionStage?: string;
  versionId?: string;
}

/** Options of {@link SecretStore}. */
export interface SecretStoreOptions {
  /** Source of "now" for creation and rotation dates; default the system clock. */
  clock?: Clock;
}

interface StoredVersion {
  versionId: string;
  secretData: string;
  createTimeMs: number;
  stages: string[];
}

interface StoredSecret {
  secretType: string;
  secretDataType: string;
  extendedConfig?: string;
  automaticRotation?: string;
  rotationIntervalMs?: number;
  lastRotationDateMs?: number;
  nextRotationDateMs?: number;
  versions: StoredVersion[];
}

/** Formats epoch ms the way KMS does: `yyyy-MM-ddTHH:mm:ssZ` (UTC, no milliseconds). */
export function formatKmsDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The in-memory secrets of the local KMS emulators (LocalDkms, LocalKms), shared between them when a test
 * wants both to serve the same data. Mutable at any time from the test; every read returns a snapshot.
 *
 * Semantics follow KMS Secrets Manager: a secret has versions; exactly one carries `ACSCurrent`, the one
 * before it `ACSPrevious`; {@link rotate} adds a version, moves the stages and updates the rotation dates
 * (`lastRotationDateMs = now`, `nextRotationDateMs = now + rotationIntervalMs`). Version ids are 32-digit
 * counters, unique per store, so tests are deterministic. Dates come from the injected clock.
 */
export class SecretStore {
  private readonly clock: Clock;
  private readonly secrets = new Map<string, StoredSecret>();
  private versionCounter = 0;

  /** @param options - injectable clock */
  constructor(options: SecretStoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Creates or replaces `name` with a single `ACSCurrent` version. With `rotationIntervalMs` the secret
   * has automatic rotation enabled (`lastRotationDateMs = now`, `nextRotationDateMs = now + interval`).
   */
  setSecret(name: string, input: SecretInput): SecretVersionRecord {
    const nowMs = this.clock.now();
    const secret: StoredSecret = {
      secretType: input.secretType ?? 'Generic',
      secretDataType: input.secretDataType ?? 'text',
      versions: [{ versionId: this.nextVersionId(), secretData: input.secretData, createTimeMs: nowMs, stages: [ACS_CURRENT] }],
    };
    if (input.extendedConfig !== undefined) {
      secret.extendedConfig =
        typeof input.extendedConfig === 'string' ? input.extendedConfig : JSON.stringify(input.extendedConfig);
    }
    if (input.rotationIntervalMs !== undefined) {
      secret.automaticRotation = 'Enabled';
      secret.rotationIntervalMs = input.rotationIntervalMs;
      secret.lastRotationDateMs = nowMs;
      secret.nextRotationDateMs = nowMs + input.rotationIntervalMs;
    }
    this.secrets.set(name, secret);
    return this.requireVersion(name, {});
  }

  /**
   * Creates or replaces a managed RAM credential secret: SecretType `RAMCredentials`, ExtendedConfig
   * `{"SecretSubType":"RamUserAccessKey","UserName":...}`, SecretData
   * `{"AccessKeyId","AccessKeySecret","GenerateTimestamp"}`. Without `rotationIntervalMs`, automatic
   * rotation is `Disabled` (no next rotation date or interval).
   */
  setRamCredential(name: string, input: RamCredentialInput): SecretVersionRecord {
    const record = this.setSecret(name, {
      secretType: 'RAMCredentials',
      secretData: this.ramSecretData(input),
      extendedConfig: { SecretSubType: 'RamUserAccessKey', UserName: input.userName ?? 'ram-user' },
      ...(input.rotationIntervalMs === undefined ? {} : { rotationIntervalMs: input.rotationIntervalMs }),
    });
    const secret = this.requireSecret(name);
    if (input.rotationIntervalMs === undefined) {
      secret.automaticRotation = 'Disabled';
      secret.lastRotationDateMs = record.createTimeMs;
    }
    return this.requireVersion(name, {});
  }

  /**
   * Adds a new `ACSCurrent` version with `newData` (for a RAM credential, `{accessKeyId, accessKeySecret}`
   * becomes a SecretData JSON with a fresh GenerateTimestamp). The old current version becomes
   * `ACSPrevious`; the older previous loses its stage but stays readable by version id.
   * Throws if the secret does not exist.
   */
  rotate(name: string, newData: RotationInput): SecretVersionRecord {
    const secret = this.requireSecret(name);
    const nowMs = this.clock.now();
    const secretData = typeof newData === 'string' ? newData : this.ramSecretData(newData);
    for (const version of secret.versions) {
      if (version.stages.includes(ACS_PREVIOUS)) version.stages = version.stages.filter((s) => s !== ACS_PREVIOUS);
      if (version.stages.includes(ACS_CURRENT)) {
        version.stages = [...version.stages.filter((s) => s !== ACS_CURRENT), ACS_PREVIOUS];
      }
    }
    secret.versions.push({ versionId: this.nextVersionId(), secretData, createTimeMs: nowMs, stages: [ACS_CURRENT] });
    secret.lastRotationDateMs = nowMs;
    if (secret.rotationIntervalMs !== undefined && secret.automaticRotation === 'Enabled') {
      secret.nextRotationDateMs = nowMs + secret.rotationIntervalMs;
    }
    return this.requireVersion(name, {});
  }

  /**
   * Changes the rotation settings of `name`: `enabled: false` clears the next date and interval;
   * otherwise the given interval / next rotation date (epoch ms) replace the stored ones.
   */
  setRotation(name: string, rotation: { enabled: boolean; rotationIntervalMs?: number; nextRotationDateMs?: number }): void {
    const secret = this.requireSecret(name);
    if (!rotation.enabled) {
      secret.automaticRotation = 'Disabled';
      delete secret.rotationIntervalMs;
      delete secret.nextRotationDateMs;
      return;
    }
    secret.automaticRotation = 'Enabled';
    if (rotation.rotationIntervalMs !== undefined) secret.rotationIntervalMs = rotation.rotationIntervalMs;
    if (rotation.nextRotationDateMs !== undefined) secret.nextRotationDateMs = rotation.nextRotationDateMs;
    else if (secret.rotationIntervalMs !== undefined) {
      secret.nextRotationDateMs = this.clock.now() + secret.rotationIntervalMs;
    }
  }

  /**
   * The version of `name` selected by stage or id (default `ACSCurrent`); `undefined` when the secret or
   * version does not exist, or when both a stage and an id are given and they do not match.
   */
  getVersion(name: string, selector: VersionSelector = {}): SecretVersionRecord | undefined {
    const secret = this.secrets.get(name);
    if (!secret) return undefined;
    const { versionId } = selector;
    const stage = selector.versionStage ?? (versionId === undefined ? ACS_CURRENT : undefined);
    const version = secret.versions.find(
      (v) => (versionId === undefined || v.versionId === versionId) && (stage === undefined || v.stages.includes(stage)),
    );
    return version ? toRecord(name, secret, version) : undefined;
  }

  /** Whether a secret named `name` exists. */
  has(name: string): boolean {
    return this.secrets.has(name);
  }

  /** All versions of `name`, oldest first (empty when it does not exist). */
  listVersions(name: string): SecretVersionRecord[] {
    const secret = this.secrets.get(name);
    return secret ? secret.versions.map((v) => toRecord(name, secret, v)) : [];
  }

  /** Names of all secrets. */
  names(): string[] {
    return [...this.secrets.keys()];
  }

  /** Deletes `name` immediately; returns whether it existed. */
  delete(name: string): boolean {
    return this.secrets.delete(name);
  }

  private ramSecretData(key: { accessKeyId: string; accessKeySecret: string }): string {
    return JSON.stringify({
      AccessKeyId: key.accessKeyId,
      AccessKeySecret: key.accessKeySecret,
      GenerateTimestamp: formatKmsDate(this.clock.now()),
    });
  }

  private nextVersionId(): string {
    this.versionCounter += 1;
    return String(this.versionCounter).padStart(32, '0');
  }

  private requireSecret(name: string): StoredSecret {
    const secret = this.secrets.get(name);
    if (!secret) {
      const known = this.names().map((n) => `"${n}"`).join(', ') || 'none';
      throw new Error(`SecretStore: no secret named "${name}" (secrets: ${known}); create it first with setSecret() or setRamCredential()`);
    }
    return secret;
  }

  private requireVersion(name: string, selector: VersionSelector): SecretVersionRecord {
    const record = this.getVersion(name, selector);
    if (!record) {
      const versions = this.listVersions(name)
        .map((v) => `${v.versionId} [${v.versionStages.join(', ')}]`)
        .join('; ');
      throw new Error(`SecretStore: no version of "${name}" matches ${JSON.stringify(selector)}; a version is chosen by versionId or by stage, and "${name}" has: ${versions || 'no versions'}`);
    }
    return record;
  }
}

function toRecord(secretName: string, secret: StoredSecret, version: StoredVersion): SecretVersionRecord {
  const record: SecretVersionRecord = {
    secretName,
    secretType: secret.secretType,
    secretData: version.secretData,
    secretDataType: secret.secretDataType,
    versionId: version.versionId,
    versionStages: Object.freeze([...version.stages]),
    createTimeMs: version.createTimeMs,
  };
  if (secret.extendedConfig !== undefined) record.extendedConfig = secret.extendedConfig;
  if (secret.automaticRotation !== undefined) record.automaticRotation = secret.automaticRotation;
  if (secret.automaticRotation === 'Enabled') {
    if (secret.rotationIntervalMs !== undefined) record.rotationIntervalMs = secret.rotationIntervalMs;
    if (secret.nextRotationDateMs !== undefined) record.nextRotationDateMs = secret.nextRotationDateMs;
  }
  if (secret.lastRotationDateMs !== undefined) record.lastRotationDateMs = secret.lastRotationDateMs;
  return Object.freeze(record);
}
