import type { Language } from 'web-tree-sitter';
import { fieldId } from './flatTree';

/** Field ids of the Python grammar that the flat-tree readers follow (region facts, lowering, the converter's input). */
export interface PythonFields {
  name: number; alias: number; moduleName: number; left: number; right: number; function: number; arguments: number;
  value: number; object: number; attribute: number; body: number; superclasses: number; operator: number; subscript: number;
  definition: number; parameters: number; alternative: number; consequence: number; key: number; type: number; argument: number;
}

const fieldsOf = new WeakMap<Language, PythonFields>();

/** The grammar's field ids, looked up once per language. */
export function pythonFields(language: Language): PythonFields {
  let f = fieldsOf.get(language);
  if (!f) {
    const id = (n: string) => fieldId(language, n);
    f = {
      name: id('name'), alias: id('alias'), moduleName: id('module_name'), left: id('left'), right: id('right'), function: id('function'),
      arguments: id('arguments'), value: id('value'), object: id('object'), attribute: id('attribute'), body: id('body'),
      superclasses: id('superclasses'), operator: id('operator'), subscript: id('subscript'), definition: id('definition'),
      parameters: id('parameters'), alternative: id('alternative'), consequence: id('consequence'), key: id('key'),
      type: id('type'), argument: id('argument'),
    };
    fieldsOf.set(language, f);
  }
  return f;
}
