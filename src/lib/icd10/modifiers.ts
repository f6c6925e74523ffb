/**
 * DATA: words that change what an ICD-10 phrase codes for, beyond the rule engine's triggers.
 *
 * The findings engine keeps "old healed rib fracture" positive (the fracture is still seen on the image), but its
 * ICD-10 code would be an acute injury, initial encounter (7th character A), which an old injury is not. So a
 * phrase whose code is an acute injury is dropped when one of these words comes just before it (up to three
 * words between, no comma: "healed left 5th rib fracture", not "compared to prior, new rib fracture"). Same pattern
 * syntax as phrases.ts.
 */
export const OLD_INJURY_PATTERNS: string[] = ['old', 'healed', 'healing', 'remote', 'chronic', 'prior', 'previous', 'ununited', 'nonunited', 'sequela of'];

/**
 * The words that mark an old injury when they come just after the phrase ("rib fractures, which are healed"). Not
 * "prior" or "previous": after a phrase they compare with an earlier exam ("rib fracture, new since prior").
 */
export const OLD_INJURY_AFTER_PATTERNS: string[] = ['old', 'healed', 'healing', 'remote', 'chronic', 'ununited', 'nonunited'];
