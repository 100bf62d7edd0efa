/**
 * The XMP that carries a description: dc:description (rdf:Alt: x-default, and the same text under
 * the caption's own xml:lang when its language is known, e.g. "de"), and who wrote it in
 * photoshop:CaptionWriter (IPTC Core's "Description Writer") when a machine did. Used for the CLI's
 * sidecars and for the page's JPEG downloads; fast-xml-parser's builder escapes the text.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { DEFAULT_LANGUAGE } from './description';

export const XMP_NAMESPACES = {
  dc: 'http://purl.org/dc/elements/1.1/',
  photoshop: 'http://ns.adobe.com/photoshop/1.0/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
};

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: true, indentBy: ' ' });

const entry = (language: string, text: string) => ({ '@xml:lang': language, '#text': text });
/** x-default comes first, as XMP asks of a language alternative; then the caption's own language, if known. */
const descriptionValue = (text: string, language?: string) => ({
  'rdf:Alt': { 'rdf:li': language === undefined ? entry(DEFAULT_LANGUAGE, text) : [entry(DEFAULT_LANGUAGE, text), entry(language, text)] },
});

/** One entry of dc:description on its own (to replace that one entry, keeping the other languages). */
export function languageEntry(language: string, text: string): string {
  return (builder.build({ 'rdf:li': entry(language, text) }) as string).trim();
}

/** The dc:description element on its own, declaring its namespace (to go into another program's packet). */
export function descriptionElement(text: string, language?: string): string {
  return (builder.build({ 'dc:description': { '@xmlns:dc': XMP_NAMESPACES.dc, ...descriptionValue(text, language) } }) as string).trim();
}

/** The photoshop:CaptionWriter element on its own, declaring its namespace. */
export function captionWriterElement(writer: string): string {
  return (builder.build({ 'photoshop:CaptionWriter': { '@xmlns:photoshop': XMP_NAMESPACES.photoshop, '#text': writer } }) as string).trim();
}

/** A whole x:xmpmeta document holding `description` (in `language` when known), and `captionWriter` when given. */
export function xmpDocument(description: string, captionWriter?: string, language?: string): string {
  return builder.build({
    'x:xmpmeta': {
      '@xmlns:x': 'adobe:ns:meta/',
      'rdf:RDF': {
        '@xmlns:rdf': XMP_NAMESPACES.rdf,
        'rdf:Description': {
          '@rdf:about': '',
          '@xmlns:dc': XMP_NAMESPACES.dc,
          ...(captionWriter !== undefined && { '@xmlns:photoshop': XMP_NAMESPACES.photoshop }),
          'dc:description': descriptionValue(description, language),
          ...(captionWriter !== undefined && { 'photoshop:CaptionWriter': captionWriter }),
        },
      },
    },
  }) as string;
}
