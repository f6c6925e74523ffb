/**
 * Every `radreportx` command, in the order `radreportx --help` lists them. A new command is one file in this
 * folder exporting a `Command`, plus one line here.
 */
import type { Command } from '../lib/command.ts';
import { bench } from './bench.ts';
import { dataset } from './dataset.ts';
import { finetune } from './finetune.ts';
import { buildModel } from './build-model.ts';
import { doctor } from './doctor.ts';
import { evaluate } from './evaluate.ts';
import { label } from './label.ts';
import { labelsToCsvCommand } from './labels-to-csv.ts';
import { merge } from './merge.ts';

export type { Command } from '../lib/command.ts';

export const COMMANDS: Command[] = [label, merge, labelsToCsvCommand, evaluate, bench, dataset, finetune, buildModel, doctor];
