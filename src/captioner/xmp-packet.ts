/**
 * The XMP that carries a description: dc:description (rdf:Alt, x-default), and who wrote it in
 * photoshop:CaptionWriter (IPTC Core's "Description Writer") when a machine did. Used for the CLI's
 * sidecars and for the page's JPEG downloads; fast-xml-parser's builder escapes the text.
 */
import { XMLBuilder } from 'fast-xml-parser';

export const XMP_NAMESPACES = {
  dc: 'http://purl.org/dc/elements/1.1/',
  photoshop: 'http://ns.adobe.com/photoshop/1.0/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
};

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: true, indentBy: ' ' });

const defaultEntry = (text: string) => ({ '@xml:lang': 'x-default', '#text': text });
const descriptionValue = (text: string) => ({ 'rdf:Alt': { 'rdf:li': defaultEntry(text) } });

/** dc:description's default-language entry on its own (to replace that one entry, keeping the other languages). */
export function defaultLanguageEntry(text: string): string {
  return (builder.build({ 'rdf:li': defaultEntry(text) }) as string).trim();
}

/** The dc:description element on its own, declaring its namespace (to go into another program's packet). */
export function descriptionElement(text: string): string {
  return (builder.build({ 'dc:description': { '@xmlns:dc': XMP_NAMESPACES.dc, ...descriptionValue(text) } }) as string).trim();
}

/** The photoshop:CaptionWriter element on its own, declaring its namespace. */
export function captionWriterElement(writer: string): string {
  return (builder.build({ 'photoshop:CaptionWriter': { '@xmlns:photoshop': XMP_NAMESPACES.photoshop, '#text': writer } }) as string).trim();
}

/** A whole x:xmpmeta document holding `description`, and `captionWriter` when given. */
export function xmpDocument(description: string, captionWriter?: string): string {
  return builder.build({
    'x:xmpmeta': {
      '@xmlns:x': 'adobe:ns:meta/',
      'rdf:RDF': {
        '@xmlns:rdf': XMP_NAMESPACES.rdf,
        'rdf:Description': {
          '@rdf:about': '',
          '@xmlns:dc': XMP_NAMESPACES.dc,
          ...(captionWriter !== undefined && { '@xmlns:photoshop': XMP_NAMESPACES.photoshop }),
          'dc:description': descriptionValue(description),
          ...(captionWriter !== undefined && { 'photoshop:CaptionWriter': captionWriter }),
        },
      },
    },
  }) as string;
}
