/**
 * One text the output checks read (the converted draft of a round, or the input): parsed at most once, copied
 * flat at most once (parser/flatTree.ts) and analysed with the tool's own model at most once, however many
 * checks read it (outputGate.ts, outputInvariant.ts, the re-analysis in convertFile.ts, the formatter).
 * A check also takes a plain string, which it parses for itself.
 */
import type { Parser, Tree } from 'web-tree-sitter';
import type { BindingModel } from '../../analysis/model';
import { analyzeDocument } from '../../analysis/analyze';
import { ParsedDocument } from '../../documents/parsedDocument';
import { loadedGrammars } from '../../parser/languages';
import { type FlatNode, flatRoot } from '../../parser/flatNode';
import { type FlatTree, flatten } from '../../parser/flatTree';

export class ParsedText {
  private own: Tree | undefined;
  private parsed = false;
  private flatCopy: FlatTree | undefined;
  private doc: ParsedDocument | undefined;
  private analysed: BindingModel | undefined;

  /** `tree`: the text's parse when the caller has it (it stays the caller's), and `flat` its flat copy. */
  constructor(private readonly parser: Parser, readonly text: string, private readonly borrowed?: Tree, flat?: FlatTree) {
    this.flatCopy = borrowed ? flat : undefined;
  }

  /** The text's tree (undefined when tree-sitter gives none). */
  get tree(): Tree | undefined {
    if (this.borrowed) return this.borrowed;
    if (!this.parsed) {
      this.parsed = true;
      this.own = this.parser.parse(this.text) ?? undefined;
    }
    return this.own;
  }

  get flat(): FlatTree | undefined {
    const tree = this.tree;
    return tree && (this.flatCopy ??= flatten(tree, this.text));
  }

  /** The flat tree's root, read through the node-API subset (parser/flatNode.ts). */
  get root(): FlatNode | undefined {
    const flat = this.flat;
    return flat && flatRoot(flat);
  }

  /** The binding model of the text as a document of its own (`untitled:converted.py`), as the editor would analyse it. */
  model(): BindingModel | undefined {
    const grammars = loadedGrammars();
    if (!grammars) return undefined;
    if (!this.analysed) {
      // the text's own tree as the document's one region when it is well cut (the same statements as parsing by
      // regions, without a second parse and flat copy), else the text parsed by regions
      const tree = this.tree;
      this.doc = (tree && ParsedDocument.ofWholeTree(grammars.pythonParser, this.text, tree, this.flat)) || new ParsedDocument(grammars.pythonParser, this.text);
      this.analysed = analyzeDocument(this.doc, 'untitled:converted.py', grammars.cParser);
    }
    return this.analysed;
  }

  dispose(): void {
    this.own?.delete();
    this.own = undefined;
    this.doc?.dispose();
    this.doc = undefined;
  }
}

/** `fn` on a text given as a string (parsed here, then released) or as a ParsedText (the caller's). */
export function withParsed<T>(parser: Parser, text: string | ParsedText, fn: (p: ParsedText) => T): T {
  if (typeof text !== 'string') return fn(text);
  const p = new ParsedText(parser, text);
  try {
    return fn(p);
  } finally {
    p.dispose();
  }
}
