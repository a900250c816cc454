#!/usr/bin/env node
import { main } from './cli/main';

void main();
