import readline from 'node:readline';

/** A one-line question on the terminal, or null when stdin or stdout is not a terminal. */
export function terminalPrompt(): ((question: string) => Promise<string>) | null {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return null;
  return (question) =>
    new Promise((resolve) => {
      const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
      rl.question(question, (answer) => {
        resolve(answer); // first: close() below emits 'close' at once
        rl.close();
      });
      // Ctrl-D / a closed terminal: no answer, so no resume.
      rl.on('close', () => resolve(''));
    });
}
