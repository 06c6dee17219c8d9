/**
 * The app's one live connection to the server's event stream (GET /api/v1/ws, authenticated by
 * the session cookie). Each message is either an event addressed to the user, numbered in their
 * own stream, or "reload" when the server no longer has what was missed. On a lost connection it
 * reconnects with exponential backoff and ?since=<last seq>, so nothing is missed in between;
 * the last seq is kept in sessionStorage, so a reload of the page resumes too.
 */

/** StreamEvent is an event as the gateway sends it (docs/events.md). */
export interface StreamEvent {
  id: number;
  type: string;
  org_id: string;
  actor_id?: string | null;
  subject_type: string;
  subject_id: string;
  payload: Record<string, unknown>;
  created_at: string;
}

export type ServerMessage = { type: 'event'; seq: number; event: StreamEvent } | { type: 'reload' };

/** The part of the browser's WebSocket the stream uses, so tests can give a fake. */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}

export interface EventStreamOptions {
  onEvent: (e: StreamEvent, seq: number) => void;
  /** The server cannot replay what was missed: everything cached may be stale. */
  onReload: () => void;
  /** Opens a socket; the browser's WebSocket by default. */
  connect?: (url: string) => SocketLike;
  /** Where the stream is; the page's own origin by default. */
  baseUrl?: string;
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** 0 to 1, for the jitter of the backoff. */
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export const SINCE_KEY = 'canopy.events.since';

/** wsUrl is the gateway's address on the page's own origin. */
export function wsUrl(loc: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api/v1/ws`;
}

/**
 * backoffDelay is the wait before reconnect attempt n (0 first): doubling from base up to max,
 * with jitter in its upper half so that a server restart is not met by every tab at once.
 */
export function backoffDelay(attempt: number, base: number, max: number, random: () => number): number {
  const full = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.round(full / 2 + (full / 2) * random());
}

function sessionStore(): EventStreamOptions['storage'] {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

/** EventStream keeps one connection open until stop. */
export class EventStream {
  private readonly o: Required<Omit<EventStreamOptions, 'storage'>> & { storage?: EventStreamOptions['storage'] };
  private socket?: SocketLike;
  private timer?: unknown;
  private attempt = 0;
  private stopped = true;
  private since?: number;

  constructor(opts: EventStreamOptions) {
    this.o = {
      connect: (url) => new WebSocket(url) as unknown as SocketLike,
      baseUrl: '',
      setTimer: (fn, ms) => window.setTimeout(fn, ms),
      clearTimer: (h) => window.clearTimeout(h as number),
      random: Math.random,
      baseDelayMs: 1000,
      maxDelayMs: 30_000,
      ...opts,
      storage: 'storage' in opts ? opts.storage : sessionStore(),
    };
    const stored = Number.parseInt(this.read() ?? '', 10);
    if (Number.isSafeInteger(stored) && stored > 0) this.since = stored;
  }

  /** lastSeq is the number of the last event received, which a reconnect resumes after. */
  get lastSeq(): number | undefined {
    return this.since;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.o.clearTimer(this.timer);
    this.timer = undefined;
    const s = this.socket;
    this.socket = undefined;
    if (s) {
      s.onclose = s.onmessage = s.onerror = s.onopen = null;
      s.close();
    }
  }

  private read(): string | null | undefined {
    try {
      return this.o.storage?.getItem(SINCE_KEY);
    } catch {
      return undefined;
    }
  }

  private remember(seq: number | undefined) {
    this.since = seq;
    try {
      if (seq === undefined) this.o.storage?.removeItem(SINCE_KEY);
      else this.o.storage?.setItem(SINCE_KEY, String(seq));
    } catch {
      // Storage refused (private mode): memory is enough for this page.
    }
  }

  private open() {
    const base = this.o.baseUrl || wsUrl();
    const url = this.since !== undefined ? `${base}?since=${this.since}` : base;
    let s: SocketLike;
    try {
      s = this.o.connect(url);
    } catch {
      this.retry();
      return;
    }
    this.socket = s;
    s.onopen = () => {
      this.attempt = 0;
    };
    s.onmessage = (ev) => this.receive(ev.data);
    s.onerror = () => {
      // A close follows, which retries.
    };
    s.onclose = () => {
      if (this.socket !== s) return;
      this.socket = undefined;
      this.retry();
    };
  }

  private retry() {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt, this.o.baseDelayMs, this.o.maxDelayMs, this.o.random);
    this.attempt++;
    this.timer = this.o.setTimer(() => {
      this.timer = undefined;
      if (!this.stopped) this.open();
    }, delay);
  }

  // A WebSocket message holds one or more of the stream's messages, one per line: the server
  // sends what queued up while it wrote the last one together.
  private receive(data: unknown) {
    if (typeof data !== 'string') return;
    for (const line of data.split('\n')) {
      if (line !== '') this.receiveOne(line);
    }
  }

  private receiveOne(data: string) {
    let m: ServerMessage;
    try {
      m = JSON.parse(data) as ServerMessage;
    } catch {
      return;
    }
    if (m.type === 'reload') {
      // What was missed is gone: start afresh from what the server sends next.
      this.remember(undefined);
      this.o.onReload();
      return;
    }
    if (m.type === 'event' && typeof m.seq === 'number' && m.event) {
      // A replay may repeat what arrived just before the connection dropped.
      if (this.since !== undefined && m.seq <= this.since) return;
      this.remember(m.seq);
      this.o.onEvent(m.event, m.seq);
    }
  }
}
