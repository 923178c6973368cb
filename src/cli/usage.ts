import { ThemisError } from "../core/errors.ts";

/** A usage error that points at the command's help. */
export function usageError(message: string, command?: string): ThemisError {
  const help = command ? `themis ${command} --help` : "themis --help";
  return new ThemisError("USAGE", `${message} (see "${help}")`);
}
