#!/usr/bin/env node
// Package bin: registers tsx's loader so the TypeScript CLI runs directly under Node, no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli.ts');
