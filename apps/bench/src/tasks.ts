/**
 * The bench's task module: the article's factorial, a no-op, and IO-bound variants that first
 * wait on real IO. Every backend and peer runs these same functions.
 *
 * The IO variants find the fixtures the bench set up (a loopback HTTP server, a folder of
 * files) through environment variables, since `map` passes each task only its input.
 */
import { readFile } from 'node:fs/promises';
import { Agent, get } from 'node:http';
import { join } from 'node:path';

/** Names the environment variable holding the loopback server's base URL. */
export const HTTP_URL_ENV = 'MANYHANDS_BENCH_HTTP_URL';
/** Names the environment variable holding the folder of input files. */
export const FILE_DIR_ENV = 'MANYHANDS_BENCH_FILE_DIR';

/** Exact factorial as a BigInt: the article's recursive `factorial(n)`. */
export function factorial(n: number): bigint {
  return n <= 1 ? 1n : BigInt(n) * factorial(n - 1);
}

/** Does nothing: measures pure per-task overhead. */
export function noop(): void {}

/** Waits on a 10 ms timer (a stand-in for a remote call), then computes the factorial. */
export async function factorialAfterTimer(n: number): Promise<bigint> {
  await new Promise((resolve) => setTimeout(resolve, 10));
  return factorial(n);
}

// One keep-alive pool of sockets per worker, as a real client would hold.
let agent: Agent | undefined;

function fixture(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the bench sets it up before running IO tasks.`);
  return value;
}

/**
 * Asks the bench's loopback HTTP server for `n` (it echoes it back), then computes the
 * factorial of the number it received, so a lost or wrong response changes the result.
 */
export async function factorialAfterHttp(n: number): Promise<bigint> {
  const body = await httpGet(`${fixture(HTTP_URL_ENV)}/echo/${n}`);
  return factorial(Number(body));
}

function httpGet(url: string): Promise<string> {
  agent ??= new Agent({ keepAlive: true, maxSockets: 32 });
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        if (res.statusCode === 200) resolve(body);
        else reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** Reads the file the bench wrote for `n` (it holds `n`), then computes the factorial. */
export async function factorialAfterFile(n: number): Promise<bigint> {
  const text = await readFile(join(fixture(FILE_DIR_ENV), `${n}.txt`), 'utf8');
  return factorial(Number.parseInt(text, 10));
}
