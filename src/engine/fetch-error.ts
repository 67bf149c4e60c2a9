/** Turning a failed fetch() into words a user can act on. */

/** One phrase for a failed fetch(): what happened on the wire, without a stack. */
export function describeFetchError(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = err?.cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused: nothing listens on that port';
    case 'ECONNRESET':
      return 'the connection was reset before an answer';
    case 'UND_ERR_SOCKET':
      return 'the connection was closed before an answer';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `no answer within ${timeoutMs} ms`;
    default:
      // fetch() refuses the ports browsers block (9, 25, 6000, ...) without trying.
      if (err?.cause?.message === 'bad port') return 'fetch() refuses to connect to that port (a port browsers block, such as 9 or 6000); use another one';
      return code ?? err?.cause?.message ?? err?.message ?? String(e);
  }
}
