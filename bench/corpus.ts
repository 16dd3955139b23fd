// The benchmark's records: deterministic clickstream events of about 1 KiB, shaped like what
// analytics SDKs send (ids, ISO timestamps, user agents, UTM-tagged URLs, nested context objects,
// an items array, experiment flags, float metrics). Deterministic so that two runs compress alike
// and compare fairly; varied enough that gzip/zstd ratios resemble real data (limits.md §3).

/** mulberry32: tiny, fast and good enough to make data look varied; not for anything secret. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67',
  'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
];
const EVENTS = [
  'page_viewed',
  'product_viewed',
  'product_added',
  'checkout_started',
  'order_completed',
  'search',
];
const PATHS = [
  '/',
  '/products',
  '/products/shoes',
  '/products/jackets',
  '/cart',
  '/checkout',
  '/search',
  '/blog/spring-sale',
];
const SOURCES = ['google', 'newsletter', 'facebook', 'instagram', 'partner', 'direct'];
const CAMPAIGNS = ['spring_sale', 'retargeting_q2', 'brand', 'launch_2024', 'none'];
const CITIES = [
  { country: 'DE', region: 'BE', city: 'Berlin', lat: 52.52, lon: 13.405 },
  { country: 'FR', region: 'IDF', city: 'Paris', lat: 48.857, lon: 2.352 },
  { country: 'US', region: 'CA', city: 'San Francisco', lat: 37.775, lon: -122.419 },
  { country: 'US', region: 'NY', city: 'New York', lat: 40.713, lon: -74.006 },
  { country: 'GB', region: 'ENG', city: 'London', lat: 51.507, lon: -0.128 },
  { country: 'JP', region: '13', city: 'Tokyo', lat: 35.68, lon: 139.69 },
];
const CATEGORIES = ['footwear', 'outerwear', 'accessories', 'bags', 'sportswear'];
const LOCALES = ['en-US', 'de-DE', 'fr-FR', 'en-GB', 'ja-JP'];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

function hex(random: () => number, digits: number): string {
  let out = '';
  while (out.length < digits)
    out += Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, digits);
}

function uuid(random: () => number): string {
  const h = hex(random, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const BASE_TIME_MS = Date.UTC(2026, 10, 26, 12, 0, 0);

/** One clickstream event; `n` spaces the timestamps so that the events read as a session log. */
export function clickEvent(random: () => number, n: number) {
  const time = BASE_TIME_MS + n * 37 + Math.floor(random() * 30);
  const place = pick(random, CITIES);
  const path = pick(random, PATHS);
  const source = pick(random, SOURCES);
  const itemCount = 1 + Math.floor(random() * 3);
  const items = Array.from({ length: itemCount }, () => ({
    sku: `SKU-${hex(random, 6).toUpperCase()}`,
    name: `${pick(random, ['Trail', 'City', 'Alpine', 'Harbor'])} ${pick(random, ['Runner', 'Shell', 'Tote', 'Cap'])}`,
    category: pick(random, CATEGORIES),
    price: Math.round(random() * 20000) / 100,
    quantity: 1 + Math.floor(random() * 3),
  }));
  return {
    eventId: uuid(random),
    anonymousId: uuid(random),
    userId: random() < 0.6 ? `user-${Math.floor(random() * 50_000)}` : null,
    sessionId: `s-${Math.floor(random() * 200_000).toString(36)}`,
    event: pick(random, EVENTS),
    timestamp: new Date(time).toISOString(),
    context: {
      userAgent: pick(random, USER_AGENTS),
      ip: `${10 + Math.floor(random() * 200)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`,
      locale: pick(random, LOCALES),
      page: {
        url: `https://shop.example.com${path}?utm_source=${source}&utm_medium=cpc&utm_campaign=${pick(random, CAMPAIGNS)}`,
        path,
        referrer: random() < 0.5 ? `https://www.${source}.com/` : '',
        title: `Example Shop – ${path === '/' ? 'Home' : path.slice(1)}`,
      },
      device: {
        type: pick(random, ['desktop', 'mobile', 'tablet']),
        screen: { width: pick(random, [390, 1280, 1440, 1920]), height: pick(random, [844, 800, 900, 1080]) },
      },
      geo: {
        ...place,
        lat: Math.round((place.lat + random() / 10) * 1e4) / 1e4,
        lon: Math.round((place.lon + random() / 10) * 1e4) / 1e4,
      },
    },
    properties: {
      items,
      currency: 'EUR',
      value: Math.round(items.reduce((sum, item) => sum + item.price * item.quantity, 0) * 100) / 100,
      experiments: { checkout_v2: random() < 0.5, new_search: random() < 0.2 },
      metrics: { timeOnPageMs: Math.floor(random() * 60_000), scrollDepth: Math.round(random() * 100) / 100 },
    },
  };
}

/**
 * The same event with every leaf at the top level (`context.page.url` → `pageUrl`), as analytics
 * tables hold it: the Parquet scenario's columns read top-level fields. Same draws from `random`
 * as clickEvent, so the content is the same; only the shape differs. `items` stays an array.
 */
export function flatClickEvent(random: () => number, n: number): Record<string, unknown> {
  const event = clickEvent(random, n);
  const { context, properties } = event;
  const { page, device, geo } = context;
  return {
    eventId: event.eventId,
    anonymousId: event.anonymousId,
    userId: event.userId,
    sessionId: event.sessionId,
    event: event.event,
    timestamp: event.timestamp,
    userAgent: context.userAgent,
    ip: context.ip,
    locale: context.locale,
    pageUrl: page.url,
    pagePath: page.path,
    referrer: page.referrer,
    pageTitle: page.title,
    deviceType: device.type,
    screenWidth: device.screen.width,
    screenHeight: device.screen.height,
    country: geo.country,
    region: geo.region,
    city: geo.city,
    lat: geo.lat,
    lon: geo.lon,
    items: properties.items,
    currency: properties.currency,
    value: properties.value,
    checkoutV2: properties.experiments.checkout_v2,
    newSearch: properties.experiments.new_search,
    timeOnPageMs: properties.metrics.timeOnPageMs,
    scrollDepth: properties.metrics.scrollDepth,
  };
}

/** `nested`: clickEvent (every scenario but Parquet); `flat`: flatClickEvent. */
export type RecordShape = 'nested' | 'flat';
/** How requests carry records: native NDJSON bodies, or Firehose PutRecordBatch JSON. */
export type Api = 'ndjson' | 'firehose';

/**
 * One pre-built request body. The first record's first byte ("{") is left out: the load
 * generator writes a per-request marker `{"benchSeq":N,` in its place, so that bodies are
 * shared and never copied.
 *
 * - ndjson: `rest` is the NDJSON body from the first record's second byte on; `head` and
 *   `firstRest` are empty.
 * - firehose: `head` is `{"DeliveryStreamName":...,"Records":[{"Data":"` (shared), `firstRest`
 *   the first record's text after its "{" (base64-encoded with the marker per request: only
 *   ~1.4 KB per request), `rest` the JSON after that record's base64: `"},{"Data":"..."},...]}`.
 */
export interface CorpusBody {
  head: Buffer;
  firstRest: Buffer;
  rest: Buffer;
  /** Record bytes of the body without the marker and without the first "{" (no newlines). */
  recordBytes: number;
  /** Each record's bytes (the first one's without its "{"): for partly failed PutRecordBatch answers. */
  recordLengths: Uint32Array;
}

export interface Corpus {
  api: Api;
  bodies: CorpusBody[];
  recordsPerBody: number;
  /** Average record size in bytes, without the newline and without the marker. */
  averageRecordBytes: number;
}

export interface CorpusOptions {
  seed: number;
  bodyCount: number;
  recordsPerBody: number;
  api: Api;
  shape: RecordShape;
  /** DeliveryStreamName of the PutRecordBatch bodies. */
  stream: string;
}

/** Builds `bodyCount` request bodies of `recordsPerBody` records each. */
export function buildCorpus(options: CorpusOptions): Corpus {
  const random = seededRandom(options.seed);
  const event = options.shape === 'flat' ? flatClickEvent : clickEvent;
  const head = Buffer.from(`{"DeliveryStreamName":${JSON.stringify(options.stream)},"Records":[{"Data":"`);
  const empty = Buffer.alloc(0);
  const bodies: CorpusBody[] = [];
  let totalBytes = 0;
  let n = 0;
  for (let b = 0; b < options.bodyCount; b += 1) {
    const lines: string[] = [];
    const recordLengths = new Uint32Array(options.recordsPerBody);
    let recordBytes = 0;
    for (let r = 0; r < options.recordsPerBody; r += 1) {
      const line = JSON.stringify(event(random, n));
      n += 1;
      recordLengths[r] = Buffer.byteLength(line) - (r === 0 ? 1 : 0);
      recordBytes += Buffer.byteLength(line);
      lines.push(line);
    }
    totalBytes += recordBytes;
    if (options.api === 'ndjson') {
      bodies.push({
        head: empty,
        firstRest: empty,
        rest: Buffer.from(`${lines.join('\n')}\n`.slice(1)),
        recordBytes: recordBytes - 1,
        recordLengths,
      });
    } else {
      const others = lines.slice(1).map((line) => `{"Data":"${Buffer.from(line).toString('base64')}"}`);
      bodies.push({
        head,
        firstRest: Buffer.from((lines[0] ?? '').slice(1)),
        rest: Buffer.from(others.length > 0 ? `"},${others.join(',')}]}` : '"}]}'),
        recordBytes: recordBytes - 1,
        recordLengths,
      });
    }
  }
  return {
    api: options.api,
    bodies,
    recordsPerBody: options.recordsPerBody,
    averageRecordBytes: totalBytes / Math.max(1, n),
  };
}

/**
 * The body of request `seq` as chunks to write one after the other (no concatenation), and its
 * record bytes (as the daemon counts sluice_incoming_bytes_total: without newlines, base64
 * decoded). Only the marker (ndjson) or the first record's base64 (firehose) is new per request.
 */
export function requestBody(corpus: Corpus, seq: number): RequestBody {
  const body = corpus.bodies[seq % corpus.bodies.length] as CorpusBody;
  const marker = markerPrefix(seq);
  const recordBytes = marker.length + body.recordBytes;
  if (corpus.api === 'ndjson') {
    return {
      chunks: [marker, body.rest],
      length: marker.length + body.rest.length,
      recordBytes,
      body,
      marker,
    };
  }
  const first = Buffer.from(Buffer.concat([marker, body.firstRest]).toString('base64'));
  const length = body.head.length + first.length + body.rest.length;
  return { chunks: [body.head, first, body.rest], length, recordBytes, body, marker };
}

export interface RequestBody {
  chunks: Buffer[];
  /** Bytes on the wire. */
  length: number;
  recordBytes: number;
  body: CorpusBody;
  marker: Buffer;
}

/** The text that starts a request body and marks it; delivered objects are searched for it. */
export function markerPrefix(seq: number): Buffer {
  return Buffer.from(`${MARKER}${seq},`);
}

export const MARKER = '{"benchSeq":';
