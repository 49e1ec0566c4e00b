/**
 * The part of the SARIF 2.1.0 schema (OASIS, sarif-schema-2.1.0.json) that covers the objects `check
 * --output-format sarif` writes: for each, the schema's `required` properties, the types and enums of the
 * properties we use, and `additionalProperties: false` over the property names the schema defines for that
 * object (only those we emit are listed, so anything new we write must be checked against the schema first).
 * Written by hand from the schema's definitions; the full schema is draft-04, which ajv 8 does not load.
 */
const message = { type: 'object', required: ['text'], properties: { text: { type: 'string' }, markdown: { type: 'string' } }, additionalProperties: false };
const propertyBag = { type: 'object' };
const artifactLocation = {
  type: 'object',
  properties: { uri: { type: 'string', format: 'uri-reference' }, uriBaseId: { type: 'string' }, index: { type: 'integer', minimum: -1 } },
  additionalProperties: false,
};
const level = { enum: ['none', 'note', 'warning', 'error'] };

export const SARIF_2_1_0_SUBSET = {
  type: 'object',
  required: ['version', 'runs'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string', format: 'uri' },
    version: { enum: ['2.1.0'] },
    runs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['tool'],
        additionalProperties: false,
        properties: {
          tool: {
            type: 'object',
            required: ['driver'],
            additionalProperties: false,
            properties: {
              driver: {
                type: 'object',
                required: ['name'],
                additionalProperties: false,
                properties: {
                  name: { type: 'string' },
                  version: { type: 'string' },
                  informationUri: { type: 'string', format: 'uri' },
                  rules: {
                    type: 'array',
                    uniqueItems: true,
                    items: {
                      type: 'object',
                      required: ['id'],
                      additionalProperties: false,
                      properties: {
                        id: { type: 'string' },
                        name: { type: 'string' },
                        shortDescription: message,
                        fullDescription: message,
                        help: message,
                        helpUri: { type: 'string', format: 'uri' },
                        defaultConfiguration: { type: 'object', additionalProperties: false, properties: { level, enabled: { type: 'boolean' }, rank: { type: 'number' } } },
                        properties: propertyBag,
                      },
                    },
                  },
                },
              },
            },
          },
          originalUriBaseIds: { type: 'object', additionalProperties: artifactLocation },
          columnKind: { enum: ['utf16CodeUnits', 'unicodeCodePoints'] },
          results: {
            type: 'array',
            items: {
              type: 'object',
              required: ['message'],
              additionalProperties: false,
              properties: {
                ruleId: { type: 'string' },
                ruleIndex: { type: 'integer', minimum: -1 },
                level,
                message,
                locations: {
                  type: 'array',
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    properties: {
                      physicalLocation: {
                        type: 'object',
                        anyOf: [{ required: ['address'] }, { required: ['artifactLocation'] }],
                        additionalProperties: false,
                        properties: {
                          artifactLocation,
                          region: {
                            type: 'object',
                            additionalProperties: false,
                            properties: {
                              startLine: { type: 'integer', minimum: 1 },
                              startColumn: { type: 'integer', minimum: 1 },
                              endLine: { type: 'integer', minimum: 1 },
                              endColumn: { type: 'integer', minimum: 1 },
                            },
                          },
                        },
                      },
                    },
                  },
                },
                properties: propertyBag,
              },
            },
          },
        },
      },
    },
  },
};
