import type { Connection } from 'vscode-languageserver';
import type { LogLevel } from '../config/settings';

const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Logs through the LSP connection (the client's output channel), filtered by `pypyBindings.logLevel`. */
export class Logger {
  private level: LogLevel = 'info';
  constructor(private readonly connection: Connection) {}
  setLevel(level: LogLevel): void {
    this.level = level;
  }
  private stamp(): string {
    return new Date().toISOString().slice(11, 23);
  }
  error(msg: string): void {
    this.connection.console.error(`[${this.stamp()}] ${msg}`);
  }
  warn(msg: string): void {
    if (ORDER[this.level] >= ORDER.warn) this.connection.console.warn(`[${this.stamp()}] ${msg}`);
  }
  info(msg: string): void {
    if (ORDER[this.level] >= ORDER.info) this.connection.console.info(`[${this.stamp()}] ${msg}`);
  }
  debug(msg: string): void {
    if (ORDER[this.level] >= ORDER.debug) this.connection.console.log(`[${this.stamp()}] ${msg}`);
  }
}
