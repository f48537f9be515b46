import { createPublicKey, type KeyObject } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { dkmsMessages } from '../../kms/dkms/dkms-messages.js';
import { DKMS_CONTENT_TYPE } from '../../kms/dkms/dkms-signer.js';
import { systemClock, type Clock } from '../../runtime/clock.js';
import { createTestClientKey, type TestClientKey } from '../pki/test-client-key.js';
import { createTestPki, type TestPki } from '../pki/test-pki.js';
import {
  SecretStore,
  formatKmsDate,
  type RamCredentialInput,
  type RotationInput,
  type SecretInput,
  type SecretVersionRecord,
} from '../secret-store.js';
import type { DkmsFault, DkmsFaultOptions } from './dkms-fault.js';
import { verifyDkmsRequest, type DkmsErrorAnswer } from './dkms-request-verifier.js';

/** Options of {@link LocalDkms.start}. */
export interface LocalDkmsOptions {
  /** TLS chain to serve; default a fresh `createTestPki()`. */
  pki?: TestPki;
  /** The ClientKey the emulator knows; default a fresh `createTestClientKey()`. */
  clientKey?: TestClientKey;
  /** Further known KeyIds with their public keys (PEM or KeyObject), e.g. the test-vector key. */
  extraClientKeys?: ReadonlyArray<{ keyId: string; publicKey: string | KeyObject }>;
  /** Secrets to serve; pass one shared with LocalKms to serve the same data. Default a new store on `clock`. */
  store?: SecretStore;
  /** Server time for the date-skew check and latency faults; default the system clock. */
  clock?: Clock;
  /** Allowed skew of the `date` header; default 15 minutes. */
  maxSkewMs?: number;
  /** Send the intermediate CA with the server certificate (default true). */
  sendIntermediate?: boolean;
}

/** One request the emulator received (no secrets: neither the signature nor the secret value). */
export interface LocalDkmsRequestRecord {
  /** Server time when the request was read, epoch ms. */
  atMs: number;
  /** `x-kms-apiname`. */
  apiName?: string;
  /** `x-kms-acccesskeyid`. */
  keyId?: string;
  /** `date` header as sent. */
  date?: string;
  /** Decoded request fields, when the body decoded. */
  secretName?: string;
  versionStage?: string;
  versionId?: string;
  fetchExtendedConfig?: boolean;
  /** The fault that was played, if any. */
  fault?: DkmsFault['kind'];
  /** Answer status (undefined for a reset connection). */
  httpStatus?: number;
  /** Error code of an error answer. */
  errorCode?: string;
}

/** Paths written by {@link LocalDkms.writeClientFiles}. */
export interface LocalDkmsClientFiles {
  /** `clientKey_<KeyId>.json`. */
  clientKeyFile: string;
  /** `clientKey_<KeyId>_Password.txt` (with a trailing newline, like the console's). */
  passwordFile: string;
  /** The CA bundle (root + intermediate). */
  caFile: string;
}

interface QueuedFault {
  fault: DkmsFault;
  remaining: number;
}

const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

/**
 * A local KMS instance gateway (DKMS, `dkms-gcs-0.2` GetSecretValue) over real HTTPS on 127.0.0.1 with a
 * random port, for tests. It checks what the real gateway checks (content type, API name and version,
 * signature method, date and ±15 min skew, content-sha256, KeyId, RSA signature, body) and answers with the
 * documented error codes as protobuf `Error` bodies. Secrets come from a {@link SecretStore}; faults can be
 * queued ({@link injectFault}). Every request is logged in {@link requests}; `close()` closes all sockets.
 */
export class LocalDkms {
  /** `127.0.0.1:<port>`, the endpoint to configure. */
  readonly endpoint: string;
  /** The listening port. */
  readonly port: number;
  /** The TLS chain served; trust {@link caBundlePem}. */
  readonly pki: TestPki;
  /** The known ClientKey (JSON content, password, PEM key). */
  readonly clientKey: TestClientKey;
  /** The secrets served. */
  readonly store: SecretStore;
  /** Every request received, oldest first. */
  readonly requests: LocalDkmsRequestRecord[] = [];

  private readonly server: https.Server;
  private readonly clock: Clock;
  private readonly maxSkewMs: number;
  private readonly publicKeys = new Map<string, KeyObject>();
  private readonly deniedSecrets = new Set<string>();
  private readonly faults: QueuedFault[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly stalled = new Set<Socket>();
  private readonly heldTimers = new Set<unknown>();
  private readonly events = new EventEmitter();
  private requestCounter = 0;
  private stopped = false;

  private constructor(server: https.Server, port: number, pki: TestPki, clientKey: TestClientKey, options: LocalDkmsOptions) {
    this.server = server;
    this.port = port;
    this.endpoint = `127.0.0.1:${port}`;
    this.pki = pki;
    this.clientKey = clientKey;
    this.clock = options.clock ?? systemClock;
    this.store = options.store ?? new SecretStore({ clock: this.clock });
    this.maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
    this.registerClientKey(clientKey.keyId, clientKey.publicKeyPem);
    for (const extra of options.extraClientKeys ?? []) this.registerClientKey(extra.keyId, extra.publicKey);
  }

  /** Starts an emulator on 127.0.0.1 with a random port. */
  static async start(options: LocalDkmsOptions = {}): Promise<LocalDkms> {
    const pki = options.pki ?? createTestPki();
    const clientKey = options.clientKey ?? createTestClientKey();
    const server = https.createServer({
      key: pki.leafKeyPem,
      cert: options.sendIntermediate === false ? pki.leafCertPem : pki.leafChainPem,
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const dkms = new LocalDkms(server, port, pki, clientKey, options);
    dkms.attach();
    return dkms;
  }

  /** The CA bundle a client should trust (root + intermediate). */
  get caBundlePem(): string {
    return this.pki.caBundlePem;
  }

  /** Makes `keyId` known, verified with `publicKey` (PEM public key, certificate, or KeyObject). */
  registerClientKey(keyId: string, publicKey: string | KeyObject): void {
    this.publicKeys.set(keyId, typeof publicKey === 'string' ? createPublicKey(publicKey) : createPublicKey(publicKey));
  }

  /** Forgets `keyId`: its requests now get 404 `Unauthorized`, as for a deleted ClientKey. */
  unregisterClientKey(keyId: string): void {
    this.publicKeys.delete(keyId);
  }

  /** Makes reads of `secretName` answer 403 `Forbidden.NoPermission` (or allows them again). */
  setAccessDenied(secretName: string, denied = true): void {
    if (denied) this.deniedSecrets.add(secretName);
    else this.deniedSecrets.delete(secretName);
  }

  /** Shortcut for `store.setSecret`. */
  setSecret(name: string, input: SecretInput): SecretVersionRecord {
    return this.store.setSecret(name, input);
  }

  /** Shortcut for `store.setRamCredential`. */
  setRamCredential(name: string, input: RamCredentialInput): SecretVersionRecord {
    return this.store.setRamCredential(name, input);
  }

  /** Shortcut for `store.rotate`. */
  rotate(name: string, newData: RotationInput): SecretVersionRecord {
    return this.store.rotate(name, newData);
  }

  /**
   * Queues a fault for the next `times` requests, or connections for `refuseConnections` and
   * `stallHandshake` (default 1; `Infinity` until {@link clearFaults}). See {@link DkmsFault} for which fault
   * emulates which outage.
   */
  injectFault(fault: DkmsFault, options: DkmsFaultOptions = {}): void {
    this.faults.push({ fault, remaining: options.times ?? 1 });
    // Pooled keep-alive connections would bypass a connection-level fault.
    if (fault.kind === 'refuseConnections' || fault.kind === 'stallHandshake') this.server.closeIdleConnections();
  }

  /**
   * TCP connections currently held by a `stallHandshake` fault (accepted, ClientHello never answered). One
   * goes away when its client gives up and closes it, so a test can see that a client's connect timeout
   * also tore the connection down.
   */
  get stalledConnections(): number {
    return this.stalled.size;
  }

  /** Drops all queued faults (requests held by a latency fault and stalled handshakes keep waiting). */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Number of GetSecretValue requests received (whatever the answer), optionally for one secret. */
  getSecretValueCount(secretName?: string): number {
    return this.requests.filter(
      (r) => r.apiName === 'GetSecretValue' && (secretName === undefined || r.secretName === secretName),
    ).length;
  }

  /** Resolves with the next request record once it is logged (before it is answered). */
  nextRequest(): Promise<LocalDkmsRequestRecord> {
    return new Promise((resolve) => this.events.once('request', resolve));
  }

  /**
   * Writes the ClientKey JSON, its password file and the CA bundle into `dir` (created if missing) with the
   * console's file names, for configuration-file tests.
   */
  async writeClientFiles(dir: string): Promise<LocalDkmsClientFiles> {
    await mkdir(dir, { recursive: true });
    const files: LocalDkmsClientFiles = {
      clientKeyFile: join(dir, this.clientKey.fileNames.clientKey),
      passwordFile: join(dir, this.clientKey.fileNames.password),
      caFile: join(dir, 'PrivateKmsCA_local.pem'),
    };
    await writeFile(files.clientKeyFile, this.clientKey.clientKeyJson);
    await writeFile(files.passwordFile, `${this.clientKey.password}\n`);
    await writeFile(files.caFile, this.caBundlePem);
    return files;
  }

  /** Stops listening, destroys every connection and held request. Idempotent. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.heldTimers) this.clock.clearTimeout(timer);
    this.heldTimers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    this.stalled.clear();
    await closed;
  }

  /** Same as {@link LocalDkms.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Same as {@link LocalDkms.close}.
   * @deprecated Use {@link LocalDkms.close}, the lifecycle verb of every emulator; `stop()` goes in the next release.
   */
  stop(): Promise<void> {
    return this.close();
  }

  private attach(): void {
    // The TLS server starts its handshake from its own 'connection' listener. It is put behind a gate, so a
    // stalled connection never reaches TLS: no ServerHello is ever sent.
    const tlsListeners = this.server.rawListeners('connection') as Array<(socket: Socket) => void>;
    this.server.removeAllListeners('connection');
    this.server.on('connection', (socket: Socket) => {
      const fault = this.takeFault((f) => f.kind === 'refuseConnections' || f.kind === 'stallHandshake');
      if (fault?.kind === 'refuseConnections') {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      if (fault?.kind === 'stallHandshake') {
        this.stalled.add(socket);
        socket.once('close', () => this.stalled.delete(socket));
        socket.on('error', () => undefined);
        socket.resume(); // read and drop the ClientHello, so the client's close is seen
        return;
      }
      for (const listener of tlsListeners) listener.call(this.server, socket);
    });
    // TLS failures (e.g. a client that rejects our certificate) are expected in tests.
    this.server.on('tlsClientError', () => undefined);
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) res.destroy();
      });
    });
  }

  /** Removes and returns the head fault if it matches and counts it down. */
  private takeFault(matches: (fault: DkmsFault) => boolean): DkmsFault | undefined {
    const head = this.faults[0];
    if (!head || !matches(head.fault)) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) this.faults.shift();
    return head.fault;
  }

  private async readBody(req: IncomingMessage): Promise<Buffer | undefined> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) return undefined;
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.readBody(req);
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(',') : value;
    };
    const record: LocalDkmsRequestRecord = { atMs: this.clock.now() };
    for (const [key, name] of [['apiName', 'x-kms-apiname'], ['keyId', 'x-kms-acccesskeyid'], ['date', 'date']] as const) {
      const value = header(name);
      if (value !== undefined) record[key] = value;
    }
    if (body) {
      try {
        const decoded = dkmsMessages.decodeGetSecretValueRequest(body);
        if (decoded.SecretName) record.secretName = decoded.SecretName;
        if (decoded.VersionStage) record.versionStage = decoded.VersionStage;
        if (decoded.VersionId) record.versionId = decoded.VersionId;
        record.fetchExtendedConfig = decoded.FetchExtendedConfig === true;
      } catch {
        // Logged without fields; the verifier answers InvalidParameter.
      }
    }
    this.requests.push(record);
    this.events.emit('request', record);

    if (!body) {
      record.httpStatus = 413;
      res.writeHead(413).end();
      return;
    }
    const fault = this.takeFault(() => true);
    if (fault) {
      record.fault = fault.kind;
      if (fault.kind === 'latency' || fault.kind === 'stallHandshake') {
        await this.hold(fault.kind === 'latency' ? fault.delayMs : Infinity);
        if (this.stopped) return;
      } else {
        this.playFault(fault, record, req, res);
        return;
      }
    }

    const verdict = verifyDkmsRequest({
      method: req.method ?? '',
      headers: req.headers,
      body,
      nowMs: this.clock.now(),
      maxSkewMs: this.maxSkewMs,
      publicKeys: this.publicKeys,
    });
    if (!verdict.ok) {
      this.sendError(res, record, verdict);
      return;
    }
    const { request } = verdict;
    if (this.deniedSecrets.has(request.SecretName)) {
      this.sendError(res, record, {
        httpStatus: 403,
        errorCode: 'Forbidden.NoPermission',
        errorMessage: `This operation for "${request.SecretName}" is forbidden by permission system.`,
      });
      return;
    }
    const selector = {
      ...(request.VersionStage ? { versionStage: request.VersionStage } : {}),
      ...(request.VersionId ? { versionId: request.VersionId } : {}),
    };
    const version = this.store.getVersion(request.SecretName, selector);
    if (!version) {
      const mismatch = request.VersionStage && request.VersionId && this.store.getVersion(request.SecretName, { versionId: request.VersionId });
      this.sendError(
        res,
        record,
        mismatch
          ? { httpStatus: 400, errorCode: 'InvalidParameter', errorMessage: 'The specified parameter is not valid.' }
          : { httpStatus: 404, errorCode: 'Forbidden.ResourceNotFound', errorMessage: 'The resource not found.' },
      );
      return;
    }
    const optionalDate = (ms: number | undefined) => (ms === undefined ? undefined : formatKmsDate(ms));
    const payload = dkmsMessages.encodeGetSecretValueResponse({
      SecretName: version.secretName,
      SecretType: version.secretType,
      SecretData: version.secretData,
      SecretDataType: version.secretDataType,
      VersionStages: [...version.versionStages],
      VersionId: version.versionId,
      CreateTime: formatKmsDate(version.createTimeMs),
      RequestId: this.nextRequestId(),
      ...(version.lastRotationDateMs === undefined ? {} : { LastRotationDate: optionalDate(version.lastRotationDateMs) }),
      ...(version.nextRotationDateMs === undefined ? {} : { NextRotationDate: optionalDate(version.nextRotationDateMs) }),
      ...(request.FetchExtendedConfig && version.extendedConfig !== undefined ? { ExtendedConfig: version.extendedConfig } : {}),
      ...(version.automaticRotation === undefined ? {} : { AutomaticRotation: version.automaticRotation }),
      ...(version.rotationIntervalMs === undefined
        ? {}
        : { RotationInterval: `${Math.round(version.rotationIntervalMs / 1000)}s` }),
    });
    record.httpStatus = 200;
    res.writeHead(200, { 'content-type': DKMS_CONTENT_TYPE, 'content-length': payload.length }).end(payload);
  }

  private hold(delayMs: number): Promise<void> {
    if (delayMs === Infinity) return new Promise<void>(() => undefined);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.heldTimers.delete(timer);
        resolve();
      }, delayMs);
      this.heldTimers.add(timer);
    });
  }

  private playFault(fault: DkmsFault, record: LocalDkmsRequestRecord, req: IncomingMessage, res: ServerResponse): void {
    switch (fault.kind) {
      case 'serviceUnavailable':
        return this.sendError(res, record, { httpStatus: 503, errorCode: 'ServiceUnavailableTemporary', errorMessage: 'Service Unavailable Temporary.' });
      case 'throttling':
        return this.sendError(res, record, { httpStatus: 429, errorCode: 'Rejected.Throttling', errorMessage: 'QPS Limit Exceeded', headers: fault.headers });
      case 'internalFailure':
        return this.sendError(res, record, { httpStatus: 500, errorCode: 'InternalFailure', errorMessage: 'Internal Failure.' });
      case 'error':
        return this.sendError(res, record, {
          httpStatus: fault.httpStatus,
          errorCode: fault.errorCode,
          errorMessage: fault.errorMessage ?? fault.errorCode,
        });
      case 'nonProtobufBody': {
        const status = fault.httpStatus ?? 502;
        const page = fault.body ?? '<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>';
        record.httpStatus = status;
        res.writeHead(status, { 'content-type': fault.contentType ?? 'text/html', 'content-length': Buffer.byteLength(page) }).end(page);
        return;
      }
      case 'connectionReset':
      case 'refuseConnections':
      case 'stallHandshake':
      case 'latency': {
        const socket = req.socket as Socket & { resetAndDestroy?: () => void };
        if (socket.resetAndDestroy) socket.resetAndDestroy();
        else socket.destroy();
        return;
      }
    }
  }

  private sendError(res: ServerResponse, record: LocalDkmsRequestRecord, answer: DkmsErrorAnswer): void {
    record.httpStatus = answer.httpStatus;
    record.errorCode = answer.errorCode;
    const payload = dkmsMessages.encodeError({
      StatusCode: answer.httpStatus,
      ErrorCode: answer.errorCode,
      ErrorMessage: answer.errorMessage,
      RequestId: this.nextRequestId(),
    });
    res.writeHead(answer.httpStatus, { ...answer.headers, 'content-type': DKMS_CONTENT_TYPE, 'content-length': payload.length }).end(payload);
  }

  private nextRequestId(): string {
    this.requestCounter += 1;
    return `00000000-0000-4000-8000-${this.requestCounter.toString(16).padStart(12, '0')}`;
  }
}
