import { describe, expect, it } from 'vitest';
import { EventStream, SINCE_KEY, backoffDelay, type SocketLike, type StreamEvent } from './events';

class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  closed = false;
  constructor(readonly url: string) {}
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.({});
  }
  send(...ms: unknown[]) {
    this.onmessage?.({ data: ms.map((m) => JSON.stringify(m)).join('\n') });
  }
  drop() {
    this.onclose?.({});
  }
}

function memoryStorage(init: Record<string, string> = {}) {
  const m = new Map(Object.entries(init));
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    map: m,
  };
}

function setup(storage = memoryStorage()) {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const events: [StreamEvent, number][] = [];
  let reloads = 0;
  const stream = new EventStream({
    baseUrl: 'ws://canopy.test/api/v1/ws',
    connect: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    storage,
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => {},
    random: () => 1,
    baseDelayMs: 1000,
    maxDelayMs: 8000,
    onEvent: (e, seq) => events.push([e, seq]),
    onReload: () => reloads++,
  });
  const fire = () => timers.shift()!.fn();
  return { stream, sockets, timers, events, reloads: () => reloads, fire, storage };
}

const event = (seq: number) => ({ type: 'event', seq, event: { id: seq, type: 'files.file_shared', org_id: 'o', subject_type: 'file', subject_id: `f${seq}`, payload: {}, created_at: '' } });

describe('EventStream', () => {
  it('reconnects with backoff and resumes after the last seq', () => {
    const h = setup();
    h.stream.start();
    expect(h.sockets[0].url).toBe('ws://canopy.test/api/v1/ws');
    h.sockets[0].open();
    h.sockets[0].send(event(1));
    h.sockets[0].send(event(2));
    h.sockets[0].drop();
    // Reconnect attempts wait 1 s, 2 s, 4 s, 8 s, 8 s… until one opens.
    expect(h.timers.map((t) => t.ms)).toEqual([1000]);
    h.fire();
    expect(h.sockets[1].url).toBe('ws://canopy.test/api/v1/ws?since=2');
    h.sockets[1].drop();
    expect(h.timers.map((t) => t.ms)).toEqual([2000]);
    h.fire();
    h.sockets[2].drop();
    h.fire();
    h.sockets[3].drop();
    h.fire();
    h.sockets[4].drop();
    expect(h.timers.map((t) => t.ms)).toEqual([8000]);
    h.fire();
    // Once open, the backoff starts again from the beginning.
    h.sockets[5].open();
    h.sockets[5].send(event(2)); // replayed: already seen
    h.sockets[5].send(event(3));
    h.sockets[5].drop();
    expect(h.timers.map((t) => t.ms)).toEqual([1000]);
    h.fire();
    expect(h.sockets[6].url).toBe('ws://canopy.test/api/v1/ws?since=3');
    expect(h.events.map(([, seq]) => seq)).toEqual([1, 2, 3]);
    expect(h.storage.map.get(SINCE_KEY)).toBe('3');
  });

  it('starts from the seq a previous page of the tab left', () => {
    const h = setup(memoryStorage({ [SINCE_KEY]: '41' }));
    h.stream.start();
    expect(h.sockets[0].url).toBe('ws://canopy.test/api/v1/ws?since=41');
  });

  it('on reload forgets the seq and tells the app to refetch everything', () => {
    const h = setup(memoryStorage({ [SINCE_KEY]: '5' }));
    h.stream.start();
    h.sockets[0].open();
    h.sockets[0].send({ type: 'reload' });
    expect(h.reloads()).toBe(1);
    expect(h.storage.map.has(SINCE_KEY)).toBe(false);
    h.sockets[0].send(event(1));
    expect(h.events.map(([, seq]) => seq)).toEqual([1]);
  });

  it('takes every message of a WebSocket message that carries several, in order', () => {
    const h = setup();
    h.stream.start();
    h.sockets[0].open();
    h.sockets[0].send(event(1), event(2), event(3));
    expect(h.events.map(([, seq]) => seq)).toEqual([1, 2, 3]);
    expect(h.storage.map.get(SINCE_KEY)).toBe('3');
  });

  it('stays closed after stop', () => {
    const h = setup();
    h.stream.start();
    h.stream.stop();
    expect(h.sockets[0].closed).toBe(true);
    expect(h.timers).toEqual([]);
  });

  it('jitters within the upper half of the delay', () => {
    expect(backoffDelay(0, 1000, 30000, () => 0)).toBe(500);
    expect(backoffDelay(3, 1000, 30000, () => 1)).toBe(8000);
    expect(backoffDelay(10, 1000, 30000, () => 1)).toBe(30000);
  });
});
