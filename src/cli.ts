#!/usr/bin/env -S node --max-semi-space-size=2
import { main } from './cli/main';

void main();
