/** Version of the rule engine and its data; bump it when a change alters any label. */
export const RULES_VERSION = '1.0.0';
