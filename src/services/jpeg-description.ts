/**
 * Puts a description into a JPEG's metadata in the browser, for a card's download. Only metadata
 * segments before the image data change; the compressed image data is copied byte for byte, so the
 * pixels are exactly the original's.
 *
 * - XMP (APP1): dc:description's default-language entry set in the photo's own packet, and the
 *   caption's own language's entry when it is known (its other languages and properties kept), or a
 *   new packet; photoshop:CaptionWriter names the tool when the text is machine-written.
 * - EXIF ImageDescription and IPTC Caption-Abstract are rewritten only where the photo already has
 *   them, so no field is left saying something else (photo managers differ in which they read).
 *
 * A hand-written segment editor: the libraries that write JPEG metadata in a browser either handle
 * EXIF alone, in ASCII (piexifjs), or bring a Perl interpreter compiled to WebAssembly (ExifTool's).
 */
import { DEFAULT_LANGUAGE, MACHINE_WRITER } from '../captioner/description';
import { captionWriterElement, descriptionElement, languageEntry, xmpDocument } from '../captioner/xmp-packet';
import {
  APP13,
  IPTC_RESOURCE,
  IPTC_UTF8,
  isCaptionDataset,
  isCharsetDataset,
  PHOTOSHOP_HEADER,
  photoshopResources,
  readDatasets,
  splitJpeg,
  startsWith,
  type Segment,
} from './jpeg-segments';

const XMP_HEADER = 'http://ns.adobe.com/xap/1.0/\0';
const EXIF_HEADER = 'Exif\0\0';
const APP1 = 0xe1;
/** A segment's payload is at most this long (its length field counts itself). */
const MAX_PAYLOAD = 0xffff - 2;
const IMAGE_DESCRIPTION_TAG = 0x010e;

const encoder = new TextEncoder();

function joinJpeg(segments: Segment[], scan: Uint8Array): Uint8Array<ArrayBuffer> {
  const size = 2 + segments.reduce((sum, { payload }) => sum + 4 + payload.length, 0) + scan.length;
  const out = new Uint8Array(size);
  out.set([0xff, 0xd8]);
  let at = 2;
  for (const { marker, payload } of segments) {
    if (payload.length > MAX_PAYLOAD) throw new Error('The description does not fit in a JPEG metadata segment.');
    out.set([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff], at);
    out.set(payload, at + 4);
    at += 4 + payload.length;
  }
  out.set(scan, at);
  return out;
}

const DESCRIPTION = /<dc:description\b[^>]*?(?:\/>|>[\s\S]*?<\/dc:description>)/;
const WRITER_ELEMENT = /<photoshop:CaptionWriter\b[^>]*?(?:\/>|>([\s\S]*?)<\/photoshop:CaptionWriter>)/;
const WRITER_ATTRIBUTE = /\sphotoshop:CaptionWriter=(["'])([\s\S]*?)\1/;
const FIRST_DESCRIPTION = /<rdf:Description\b[^>]*?(\/?)>/;
const ALT_OPENING = /<rdf:Alt\b[^>]*?>/;
const ALT_CLOSING = /<\/rdf:Alt\s*>/;
/** The rdf:li of one language (xml:lang compares without regard to case). */
const entryOf = (language: string) =>
  new RegExp(`<rdf:li\\b[^>]*?xml:lang=(["'])${language.replace(/[^\w-]/g, '')}\\1[^>]*?(?:\\/>|>[\\s\\S]*?<\\/rdf:li>)`, 'i');

/**
 * dc:description with `text` under x-default and, when given, under `language`, its other languages
 * kept: an entry there is replaced, a missing one added (x-default first, as XMP asks).
 */
function withEntries(description: string, text: string, language: string | null): string {
  if (!ALT_OPENING.test(description)) return descriptionElement(text, language ?? undefined);
  let edited = description;
  for (const tag of language === null ? [DEFAULT_LANGUAGE] : [DEFAULT_LANGUAGE, language]) {
    const pattern = entryOf(tag);
    const replacement = languageEntry(tag, text);
    if (pattern.test(edited)) edited = edited.replace(pattern, () => replacement);
    else if (tag === DEFAULT_LANGUAGE || !ALT_CLOSING.test(edited)) edited = edited.replace(ALT_OPENING, (opening) => `${opening}${replacement}`);
    else edited = edited.replace(ALT_CLOSING, (closing) => `${replacement}${closing}`);
  }
  return edited;
}

/** The packet with dc:description set; the caption writer replaced by `writer`, or (null) this tool's dropped. */
function editPacket(packet: string, text: string, writer: string | null, language: string | null): string {
  let edited = packet;
  for (const pattern of [WRITER_ELEMENT, WRITER_ATTRIBUTE]) {
    const found = pattern.exec(edited);
    const value = found ? (pattern === WRITER_ELEMENT ? found[1] : found[2]) ?? '' : '';
    if (found && (writer !== null || value.startsWith(MACHINE_WRITER))) edited = edited.replace(pattern, '');
  }
  const additions = writer === null ? '' : captionWriterElement(writer);
  if (DESCRIPTION.test(edited)) edited = edited.replace(DESCRIPTION, (description) => withEntries(description, text, language));
  else edited = insertIntoDescription(edited, descriptionElement(text, language ?? undefined));
  return additions ? insertIntoDescription(edited, additions) : edited;
}

function insertIntoDescription(packet: string, element: string): string {
  const opening = FIRST_DESCRIPTION.exec(packet);
  if (!opening) throw new Error('The photo’s XMP has no rdf:Description to add the description to.');
  const tag = opening[0];
  const replacement = opening[1] ? `${tag.slice(0, -2).trimEnd()}>${element}</rdf:Description>` : `${tag}${element}`;
  return packet.slice(0, opening.index) + replacement + packet.slice(opening.index + tag.length);
}

function xmpSegment(existing: Segment | undefined, text: string, writer: string | null, language: string | null): Segment {
  const packet = existing
    ? editPacket(new TextDecoder().decode(existing.payload.subarray(XMP_HEADER.length)), text, writer, language)
    : `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>\n${xmpDocument(text, writer ?? undefined, language ?? undefined)}<?xpacket end="w"?>`;
  const body = encoder.encode(packet);
  const payload = new Uint8Array(XMP_HEADER.length + body.length);
  payload.set(encoder.encode(XMP_HEADER));
  payload.set(body, XMP_HEADER.length);
  return { marker: APP1, payload };
}

/** The EXIF segment with its IFD0 ImageDescription set to `text`, if it has one; else as it was. */
function withExifDescription(payload: Uint8Array, text: string): Uint8Array {
  const tiff = payload.subarray(EXIF_HEADER.length);
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const little = tiff[0] === 0x49;
  const ifd0 = view.getUint32(4, little);
  const count = view.getUint16(ifd0, little);
  for (let entry = ifd0 + 2; entry < ifd0 + 2 + count * 12; entry += 12) {
    if (view.getUint16(entry, little) !== IMAGE_DESCRIPTION_TAG) continue;
    const value = new Uint8Array([...encoder.encode(text), 0]);
    // A longer value goes after everything else (offsets count from the TIFF header), at an even offset.
    const place = value.length <= 4 ? -1 : tiff.length + (tiff.length % 2);
    const grown = new Uint8Array(EXIF_HEADER.length + Math.max(tiff.length, place + value.length));
    grown.set(payload);
    const out = new DataView(grown.buffer, EXIF_HEADER.length);
    out.setUint16(entry + 2, 2, little); // ASCII
    out.setUint32(entry + 4, value.length, little);
    if (place < 0) {
      out.setUint32(entry + 8, 0);
      grown.set(value, EXIF_HEADER.length + entry + 8);
    } else {
      out.setUint32(entry + 8, place, little);
      grown.set(value, EXIF_HEADER.length + place);
    }
    return grown;
  }
  return payload;
}

/**
 * The IPTC block with Caption-Abstract (2:120) set to `text` in UTF-8 (declared in 1:90), if it has
 * one; dropped instead where other text in the block is in another character set.
 */
function withIptcCaption(iptc: Uint8Array, text: string): Uint8Array {
  const datasets = readDatasets(iptc);
  if (!datasets?.some(isCaptionDataset)) return iptc;
  const declaredUtf8 = datasets.some((set) => isCharsetDataset(set) && set.data.join() === IPTC_UTF8.join());
  const othersAscii = datasets.every((set) => isCaptionDataset(set) || isCharsetDataset(set) || set.data.every((byte) => byte < 0x80));
  const kept = datasets.filter((set) => !isCaptionDataset(set) && !isCharsetDataset(set));
  const canWrite = declaredUtf8 || othersAscii;
  const charset = canWrite ? [{ record: 1, dataset: 90, data: new Uint8Array(IPTC_UTF8) }] : datasets.filter(isCharsetDataset);
  const caption = canWrite ? [{ record: 2, dataset: 120, data: encoder.encode(text).subarray(0, 2000) }] : [];
  const all = [...charset, ...kept, ...caption].sort((a, b) => a.record - b.record);
  const out = new Uint8Array(all.reduce((sum, set) => sum + 5 + set.data.length, 0));
  let at = 0;
  for (const { record, dataset, data } of all) {
    out.set([0x1c, record, dataset, data.length >> 8, data.length & 0xff], at);
    out.set(data, at + 5);
    at += 5 + data.length;
  }
  return out;
}

/** The Photoshop segment with its IPTC resource's caption set (see withIptcCaption). */
function withPhotoshopCaption(payload: Uint8Array, text: string): Uint8Array {
  const parts: Uint8Array[] = [payload.subarray(0, PHOTOSHOP_HEADER.length)];
  let at = PHOTOSHOP_HEADER.length;
  for (const resource of photoshopResources(payload)) {
    if (resource.id === IPTC_RESOURCE) {
      const iptc = withIptcCaption(resource.data, text);
      const head = new Uint8Array(payload.subarray(resource.at, resource.dataAt)); // a copy: its size changes
      new DataView(head.buffer).setUint32(head.length - 4, iptc.length);
      parts.push(head, iptc, new Uint8Array(iptc.length % 2));
    } else {
      parts.push(payload.subarray(resource.at, resource.end));
    }
    at = resource.end;
  }
  parts.push(payload.subarray(at));
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * The JPEG with `text` as its description. `writer`: the caption writer to record for a machine's
 * caption (machineCaptionWriter), or null for a person's words (which drops this tool's).
 * `language`: the text's language (BCP 47), also written under its own xml:lang; null when unknown.
 */
export function embedJpegDescription(bytes: Uint8Array, text: string, writer: string | null, language: string | null = null): Uint8Array<ArrayBuffer> {
  const { segments, scanStart } = splitJpeg(bytes);
  const isXmp = (segment: Segment) => segment.marker === APP1 && startsWith(segment.payload, XMP_HEADER);
  const existingXmp = segments.find(isXmp);
  const xmp = xmpSegment(existingXmp, text, writer, language);
  const edited = segments.map((segment): Segment => {
    if (segment === existingXmp) return xmp;
    if (segment.marker === APP1 && startsWith(segment.payload, EXIF_HEADER)) return { marker: APP1, payload: withExifDescription(segment.payload, text) };
    if (segment.marker === APP13 && startsWith(segment.payload, PHOTOSHOP_HEADER)) return { marker: APP13, payload: withPhotoshopCaption(segment.payload, text) };
    return segment;
  });
  if (!existingXmp) {
    // After JFIF (APP0) and EXIF (APP1), where readers look for it.
    let at = 0;
    while (at < edited.length && (edited[at].marker === 0xe0 || edited[at].marker === APP1)) at++;
    edited.splice(at, 0, xmp);
  }
  return joinJpeg(edited, bytes.subarray(scanStart));
}
