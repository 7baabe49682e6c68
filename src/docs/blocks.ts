/**
 * Generated blocks inside a hand-written Markdown file: `<!-- generated:NAME -->` … `<!-- /generated:NAME -->`.
 * The prose around them stays hand-written; what a source exists for is filled in and checked for drift.
 * (Hand-written: markdown-magic does this but pulls a large dependency tree for a 20-line job.)
 */
const BLOCK = /(<!-- generated:([a-z-]+) -->\n)[\s\S]*?(<!-- \/generated:\2 -->)/g;

export type BlockSources = Readonly<Record<string, () => string>>;

export function fillGeneratedBlocks(text: string, sources: BlockSources): string {
  const seen = new Set<string>();
  const out = text.replace(BLOCK, (_all, open: string, name: string, close: string) => {
    const source = sources[name];
    if (!source) throw new Error(`generated block "${name}" has no source`);
    seen.add(name);
    const body = source().replace(/\n*$/, '\n');
    return `${open}${body}${close}`;
  });
  const missing = Object.keys(sources).filter((n) => !seen.has(n));
  if (missing.length) throw new Error(`generated blocks missing from the document: ${missing.join(', ')}`);
  return out;
}
