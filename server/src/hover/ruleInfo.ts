import { ruleInfo as catalogueRule } from '../rules/catalogue';

/** What a hover needs to know about a lint rule; the rule catalogue is the source of truth. */
export interface RuleInfo {
  code: string;
  title: string;
  /** The guide section the rule rests on: a section id (`ctypes`, `cffi`, `intro` …). */
  guideSection?: string;
  /** Why the rule exists, in a few sentences. */
  explanation?: string;
}

export type RuleLookup = (code: string) => RuleInfo | undefined;

export const defaultRuleLookup: RuleLookup = (code) => catalogueRule(code);
