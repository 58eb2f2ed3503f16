/**
 * What the caller knows about a request beyond its method, path and cookie: the inputs of the
 * signal families (docs/scoring.md). Everything is optional, since a log replay knows only part
 * of it (no browser headers, no TLS) and the edge knows all of it.
 * @module
 */

/** Facts about the request line and headers that an access log also records. */
export interface RequestFacts {
  /** The protocol as VCL's `req.proto` reports it ('HTTP/1.0', 'HTTP/1.1', 'HTTP/2', 'HTTP/3'); undefined = unknown. */
  protocol?: string;
  /** The Referer header; null = absent; undefined = unknown. */
  referer?: string | null;
  /** The Host the request was for, to tell a same-site Referer from another site's. */
  host?: string;
  /**
   * The request reached a secure origin (TLS at the edge, or a loopback host), where browsers
   * send fetch metadata and client hints; undefined = unknown, treated as not secure.
   */
  secureContext?: boolean;
  /** Headers only the edge sees (an access log has none): undefined in log replay. */
  headers?: BrowserHeaders;
}

/** Request headers a mainstream browser always sends on a navigation, and the TLS fingerprint. null = absent. */
export interface BrowserHeaders {
  userAgent: string | null;
  accept: string | null;
  acceptLanguage: string | null;
  acceptEncoding: string | null;
  secFetchMode: string | null;
  secFetchSite: string | null;
  secFetchDest: string | null;
  secFetchUser: string | null;
  secChUa: string | null;
  /** `tls.client.ja4`, forwarded by the VCL in a header clients cannot set; null when unknown. */
  ja4: string | null;
}

/**
 * Per-client memory at the edge: rate counters and penalty boxes keyed by the client (address,
 * and address + User-Agent). Each call records and answers; the scorer calls each at most once
 * per decision and only when the answer matters, so an edge implementation does no counting on
 * other requests. The log replay implements it with exactly the edge's windows.
 */
export interface ClientMemory {
  /**
   * Records an arrival without a valid session cookie. Answers whether this client had already
   * arrived without one within the penalty-box TTL (before this request), and how many such
   * arrivals it made in the last 60 s, this one included.
   */
  cookielessArrival(): { seenBefore: boolean; recent: number };
  /** Records a request; answers the client's requests in the last 60 s, this one included. */
  request(): number;
  /** Records that this client fetched a crawler-only or scanner path. */
  crawlerPath(): void;
  /** Whether this client fetched a crawler-only or scanner path within the TTL, before this request. */
  seenCrawlerPath(): boolean;
}
