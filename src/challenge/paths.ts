/** The challenge routes (docs/headers.md). The VCL generator routes exactly these two paths to the scorer. */
export const CHALLENGE_PATH = '/.scorer/challenge';
export const CHALLENGE_VERIFY_PATH = '/.scorer/challenge/verify';
