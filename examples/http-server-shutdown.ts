/**
 * A web service (plain `node:http`; Express and Koa apps shut down the same way): one ProxyBucket for the
 * whole process, created at start-up, released on SIGTERM after the server stopped taking requests.
 * Run: `npx tsx examples/http-server-shutdown.ts`
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigLoader, ProxyBucket, type OssBucket } from 'ali-oss-managed-credentials';
import { runIfScript, startLocalCloud } from './local-cloud.js';

/** A tiny file service: `PUT /files/<name>` stores the body, `GET /files/<name>` returns it. */
export function createApp(bucket: OssBucket): Server {
  return createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '').replace(/^\/files\//, ''));
    const handle = async () => {
      if (req.method === 'PUT') {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        await bucket.put(name, Buffer.concat(chunks)); // a Buffer: replayable if the key was just rotated
        res.writeHead(201).end();
      } else if (req.method === 'GET') {
        const { content } = await bucket.get(name);
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(content);
      } else {
        res.writeHead(405).end();
      }
    };
    handle().catch((error: unknown) => {
      // Errors of this library and of ali-oss through a ProxyBucket carry no secret; log the code only.
      const code = (error as { code?: string }).code ?? 'Error';
      res.writeHead(code === 'NoSuchKey' ? 404 : 502).end(code);
    });
  });
}

/**
 * Graceful shutdown: stop accepting connections, let requests in flight finish, then release the bucket
 * (which closes the shared cache and its timers). After this the process exits on its own.
 */
export async function shutdown(server: Server, bucket: OssBucket): Promise<void> {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  await bucket.shutdown();
}

/** Starts the service, stores and reads a file over HTTP, then shuts down as on SIGTERM. */
export async function main(): Promise<{ putStatus: number; body: string; stored: string[]; listeningAfterShutdown: boolean }> {
  const cloud = await startLocalCloud();
  try {
    ConfigLoader.setConfigName(cloud.configFile);
    const bucket = new ProxyBucket({ secretName: cloud.secretName, ...cloud.ossOptions, bucket: cloud.bucket });
    await bucket.ready(); // fail fast at start-up if KMS or the configuration is wrong
    const server = createApp(bucket).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const onSigterm = () => void shutdown(server, bucket);
    process.once('SIGTERM', onSigterm);

    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files`;
    const put = await fetch(`${base}/greeting.txt`, { method: 'PUT', body: 'hello over http' });
    const body = await (await fetch(`${base}/greeting.txt`)).text();

    process.off('SIGTERM', onSigterm);
    await shutdown(server, bucket); // what the SIGTERM handler does
    return { putStatus: put.status, body, stored: cloud.oss.listObjectKeys(cloud.bucket), listeningAfterShutdown: server.listening };
  } finally {
    ConfigLoader.setConfigName(undefined);
    await cloud.close();
  }
}

runIfScript(import.meta.url, main);
