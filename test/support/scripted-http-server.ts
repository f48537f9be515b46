import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TestPki } from '../../src/testing/pki/index.js';

/** One scripted answer: status, headers and raw body bytes. */
export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string> | undefined;
  body?: Buffer | string | undefined;
}

/**
 * A tiny HTTP(S) server on 127.0.0.1 (random port) that answers every request with whatever `answer`
 * returns, byte for byte. For fuzzing clients with bodies the emulators would never produce. The request
 * body is read completely before answering.
 */
export class ScriptedHttpServer {
  answer: (request: { method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer }) => ScriptedAnswer = () => ({
    status: 500,
  });
  requestCount = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: http.Server | https.Server,
    readonly port: number,
  ) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('tlsClientError', () => undefined);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.requestCount++;
        let scripted: ScriptedAnswer;
        try {
          scripted = this.answer({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        } catch {
          scripted = { status: 500 };
        }
        const body = scripted.body === undefined ? Buffer.alloc(0) : Buffer.from(scripted.body);
        res.writeHead(scripted.status, { 'content-length': String(body.length), ...scripted.headers });
        res.end(req.method === 'HEAD' ? undefined : body);
      });
    });
  }

  /** Plain HTTP (for OSS clients) or HTTPS with the given test PKI (for DKMS). */
  static async start(pki?: TestPki): Promise<ScriptedHttpServer> {
    const server = pki ? https.createServer({ key: pki.leafKeyPem, cert: pki.leafChainPem }) : http.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new ScriptedHttpServer(server, (server.address() as AddressInfo).port);
  }

  /** `127.0.0.1:<port>`. */
  get hostPort(): string {
    return `127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
