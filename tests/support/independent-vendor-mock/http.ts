/**
 * The independent vendor mock's HTTP helpers: JSON responses (no charset
 * parameter), its error shape, the caller's address as a dual-stack listener
 * reports it, and the network allow-list check. Part of ../independent-vendor-mock.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { Token } from './store.ts';

export function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function error(res: ServerResponse, status: number, code: string, description: string, detail: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  send(res, status, { code, description, detail, ...extra });
}

export function callerIp(req: IncomingMessage): string {
  const ip = req.socket.remoteAddress ?? '127.0.0.1';
  // Report the caller the way a dual-stack listener sees an IPv4 peer.
  return isIP(ip) === 4 ? `::ffff:${ip}` : ip;
}

export function admits(t: Token, ip: string): boolean {
  if (t.authorized_ip_addresses.length === 0) return true;
  const list = new BlockList();
  for (const entry of t.authorized_ip_addresses) {
    const [addr, bits] = entry.split('/');
    const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, family);
    else list.addSubnet(addr, Number(bits), family);
  }
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if (list.check(ip, family)) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? list.check(mapped[1], 'ipv4') : false;
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
