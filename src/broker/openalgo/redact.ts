// Secrets must never leak through error messages: a server may echo the request body
// (and with it the API key) in its own error text.

/** Replace every occurrence of each secret in `text` with '***'. Empty secrets are ignored. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  const sorted = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  for (const secret of sorted) out = out.split(secret).join('***');
  return out;
}
