import fs from 'node:fs';
import { z } from 'zod';
import { atomicWriteFileSync } from './persistence.js';

// How `random-scalp guard resume` reaches the bot: a request file next to the state file. The
// CLI never writes the state file itself (a running engine would overwrite it on its next save,
// and two writers race); it drops a request, and the engine — running or at its next start —
// takes it, checks it against the figures it has then (refused while the loss limit is still
// breached), applies it and deletes it. A request is for one IST day only.

export interface ResumeRequest {
  /** The IST day the trader resumed; a request left over from another day is dropped. */
  day: string;
  /** When it was asked for (epoch ms). */
  at: number;
  /** Who asked, for the log (e.g. "guard resume (tty)"). */
  by: string;
}

const requestSchema = z.object({ day: z.string(), at: z.number(), by: z.string() });

export interface ResumeRequests {
  /** The pending request, removed as it is taken; null when there is none. */
  take(): ResumeRequest | null;
}

/** The request file for a state file: `<mode>-<exchange>-<symbol>.guard-resume.json`. */
export function resumeRequestPath(stateFilePath: string): string {
  return `${stateFilePath.replace(/\.state\.json$/, '')}.guard-resume.json`;
}

export class ResumeRequestFile implements ResumeRequests {
  constructor(readonly path: string) {}

  write(request: ResumeRequest): void {
    atomicWriteFileSync(this.path, `${JSON.stringify(request)}\n`);
  }

  pending(): boolean {
    return fs.existsSync(this.path);
  }

  take(): ResumeRequest | null {
    // Cheap when there is nothing (the usual case): one stat per look.
    if (!fs.existsSync(this.path)) return null;
    let text = '';
    try {
      text = fs.readFileSync(this.path, 'utf8');
    } catch {
      return null;
    }
    try {
      fs.unlinkSync(this.path);
    } catch {
      // already taken by someone else
    }
    try {
      const parsed = requestSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }
}

/** In memory, for tests and PERSIST_STATE=false. */
export class MemoryResumeRequests implements ResumeRequests {
  request: ResumeRequest | null = null;
  take(): ResumeRequest | null {
    const r = this.request;
    this.request = null;
    return r;
  }
}
