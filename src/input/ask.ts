import { UserError } from '../errors.js';

export interface Question<T extends string> {
  /** The flag or argument the answer stands for, named in the usage error. */
  flag: string;
  message: string;
  choices?: readonly T[];
  validate?: (value: string) => string | undefined;
}

/**
 * Asks for a missing value when a person is at the terminal; without a TTY a
 * missing required value is a usage error (exit 2) naming the flag.
 */
export async function askIfMissing<T extends string>(value: T | undefined, question: Question<T>): Promise<T> {
  if (value !== undefined) return value;
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UserError(`missing ${question.flag}`, { hint: `pass ${question.flag} (no terminal to ask on)` });
  }
  const prompts = await import('@inquirer/prompts');
  if (question.choices) {
    return prompts.select<T>({ message: question.message, choices: question.choices.map((c) => ({ value: c })) });
  }
  const answer = await prompts.input({
    message: question.message,
    validate: (input) => question.validate?.(input) ?? true,
  });
  return answer as T;
}
