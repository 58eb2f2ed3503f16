// The only host APIs scorer-core relies on. Both exist in Fastly Compute (js-compute), Node and
// browsers. Declared here so the library type-checks without DOM or Node typings, which keeps
// Request, Response, fetch and node:* out of it.
declare global {
  var crypto: { getRandomValues<T extends Uint8Array>(array: T): T };
  class TextEncoder {
    encode(input?: string): Uint8Array;
  }
  class TextDecoder {
    constructor(label?: string, options?: { fatal?: boolean });
    decode(input?: Uint8Array): string;
  }
}
export {};
