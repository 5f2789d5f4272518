/** A user's mistake in input (a file, an argument's value): reported in one line, exit code 1. */
export class InputError extends Error {}
