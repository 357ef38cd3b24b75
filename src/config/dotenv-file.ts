import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';

/** The .env file of the working directory, parsed (empty when there is none). */
export function readDotenv(cwd: string): Record<string, string> {
  const file = path.join(cwd, '.env');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  return parse(text);
}
