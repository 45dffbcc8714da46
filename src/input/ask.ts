import { UserError } from '../errors.js';

export interface Question<T extends string> {
  /** The flag or argument the answer stands for, named in the usage error. */
  flag: string;
  message: string;
  choices?: readonly T[];
  /** The rule the answer breaks, checked as it is entered so the question is asked again at once. */
  validate?: (value: string) => string | undefined | Promise<string | undefined>;
}

/**
 * Asks for a missing value when a person is at the terminal; without a TTY a
 * missing required value is a usage error (exit 2) naming the flag. Ctrl-C at
 * the question is exit 130 with one line, before anything was written.
 */
export async function askIfMissing<T extends string>(value: T | undefined, question: Question<T>): Promise<T> {
  if (value !== undefined) return value;
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UserError(`missing ${question.flag}`, { hint: `pass ${question.flag} (no terminal to ask on)` });
  }
  const prompts = await import('@inquirer/prompts');
  try {
    if (question.choices) {
      return await prompts.select<T>({ message: question.message, choices: question.choices.map((c) => ({ value: c })) });
    }
    const answer = await prompts.input({
      message: question.message,
      validate: async (input) => (await question.validate?.(input)) ?? true,
    });
    return answer as T;
  } catch (error) {
    // @inquirer/prompts rejects with ExitPromptError on Ctrl-C (or a closed terminal).
    if (error instanceof Error && error.name === 'ExitPromptError') throw new UserError('interrupted', { exit: 'interrupted' });
    throw error;
  }
}
