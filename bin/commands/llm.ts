/**
 * `skillforge llm ask|score`: check a language-model setup from the terminal.
 *
 *   skillforge llm ask "Name three kitchen objects." --llm ollama:llama3.1
 *   skillforge llm score "Robot: to bring you an apple, I would" " find an apple" " open the drawer" \
 *     --llm openai-compatible:qwen2.5-7b@http://127.0.0.1:8000/v1
 *
 * Prints the answer (or the Say scores and the method used) and the call/token counts.
 */
import type { Command } from 'commander';
import { addLlmOptions } from '../llm-options.js';

export function register(program: Command): void {
  const llm = program.command('llm').description('ask a language model, or score options with it (checks your --llm setup)');
  addLlmOptions(llm.command('ask <text>').description('send one user message and print the answer'))
    .option('--system <text>', 'a system message first')
    .option('--json', 'print JSON')
    .action(async (text: string, flags: { system?: string; json?: boolean }, command: Command) => {
      const { languageModelFromCommand } = await import('../llm-options.js');
      const model = await languageModelFromCommand(command);
      try {
        const messages = [...(flags.system ? [{ role: 'system' as const, content: flags.system }] : []), { role: 'user' as const, content: text }];
        const answer = await model.chat(messages);
        if (flags.json) process.stdout.write(`${JSON.stringify({ model: model.id, answer, usage: model.usage() }, null, 2)}\n`);
        else process.stdout.write(`${answer}\n\n(${model.id}; ${usageLine(model.usage())})\n`);
      } finally {
        await model.close();
      }
    });
  addLlmOptions(llm.command('score <prompt> <options...>').description("SayCan's Say: how well each option continues the prompt"))
    .option('--json', 'print JSON')
    .action(async (prompt: string, options: string[], flags: { json?: boolean }, command: Command) => {
      const { languageModelFromCommand } = await import('../llm-options.js');
      const model = await languageModelFromCommand(command);
      try {
        const scores = await model.scoreOptions(prompt, options);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ model: model.id, options, ...scores, usage: model.usage() }, null, 2)}\n`);
          return;
        }
        const width = Math.max(...options.map((o) => JSON.stringify(o).length));
        const order = options.map((_, i) => i).sort((a, b) => scores.probabilities[b]! - scores.probabilities[a]!);
        for (const i of order) {
          process.stdout.write(`${JSON.stringify(options[i]).padEnd(width)}  p=${scores.probabilities[i]!.toFixed(3)}  log=${scores.logScores[i]!.toFixed(3)}\n`);
        }
        process.stdout.write(`\nmethod: ${scores.method}  (${model.id}; ${usageLine(model.usage())})\n`);
      } finally {
        await model.close();
      }
    });
}

function usageLine(u: { calls: number; promptTokens: number; completionTokens: number; cacheHits: number }): string {
  return `${u.calls} call${u.calls === 1 ? '' : 's'}, ${u.promptTokens}+${u.completionTokens} tokens, ${u.cacheHits} cached`;
}
