#!/usr/bin/env node
// The dashboard's static files (HTML, CSS) next to its compiled scripts in dist/web, which the
// HTTP port serves (src/adapters/http/static-assets.ts).
import { cpSync, mkdirSync } from 'node:fs';

mkdirSync('dist/web', { recursive: true });
cpSync('web/static', 'dist/web', { recursive: true });
