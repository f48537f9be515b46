/** Whether a command-line argument asks for help: `-h` or `--help`. */
export function isHelpFlag(arg: string | undefined): boolean {
  return arg === '-h' || arg === '--help';
}
