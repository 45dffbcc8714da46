import { Help } from '@oclif/core';
import { exitCodeTable } from './errors.js';

/** oclif's help with the exit-code table added, so `--help` documents every exit. */
export default class MsxHelp extends Help {
  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp();
    this.log(exitCodesSection());
  }

  override async showCommandHelp(command: Parameters<Help['showCommandHelp']>[0]): Promise<void> {
    await super.showCommandHelp(command);
    this.log(exitCodesSection());
  }
}

function exitCodesSection(): string {
  const rows = exitCodeTable.map(([code, meaning]) => `  ${String(code).padStart(3)}  ${meaning}`);
  return ['EXIT CODES', ...rows, ''].join('\n');
}
