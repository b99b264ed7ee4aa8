/**
 * The genuine IO the IO-bound workloads wait on, set up by the bench itself: an HTTP server
 * on 127.0.0.1 that echoes a number back, and a folder with one small file per input value.
 * The server runs in the bench's own process, which sits idle while a case runs, so it does
 * not take the measured process' thread away from it.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILE_DIR_ENV, HTTP_URL_ENV } from './tasks.js';

/** A running fixture. */
export interface IoFixture {
  /** A scratch folder (it holds the input files; other files may go there too). */
  readonly dir: string;
  /** Environment variables that point the IO tasks at the fixture. */
  readonly env: Readonly<Record<string, string>>;
  /** Stops the server and deletes the folder. */
  close(): Promise<void>;
}

/** Input values are 1..99; a file per value. Padded so each read moves a real page. */
const FILE_BYTES = 4096;

/** Starts the server and writes the files. */
export async function startIoFixture(): Promise<IoFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'manyhands-bench-'));
  const files = join(dir, 'inputs');
  await mkdir(files);
  for (let n = 1; n <= 99; n++) {
    await writeFile(join(files, `${n}.txt`), `${n}\n`.padEnd(FILE_BYTES, ' '));
  }
  const server = createServer((req, res) => {
    const match = /^\/echo\/(\d+)$/.exec(req.url ?? '');
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const body = match[1] as string;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }).end(body);
  });
  // Case processes stay open across rounds and keep their sockets alive between samples: with
  // Node's default 5 s keep-alive timeout the server would close an idle socket just as a
  // client reuses it ("socket hang up"). Idle sockets stay open until close() instead.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    dir,
    env: { [HTTP_URL_ENV]: `http://127.0.0.1:${port}`, [FILE_DIR_ENV]: files },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
