/**
 * The preview2-shim modules spindle uses, loaded so that the shim's I/O worker thread
 * starts only when a guest first needs it (deferred-io-worker.ts). Import the shim from
 * here only: the first import of any shim module loads its `io` module, and with it the
 * worker.
 */
import './deferred-io-worker.ts';
import * as clocks from '@bytecodealliance/preview2-shim/clocks';
import * as filesystem from '@bytecodealliance/preview2-shim/filesystem';
import * as http from '@bytecodealliance/preview2-shim/http';
import * as io from '@bytecodealliance/preview2-shim/io';
import * as random from '@bytecodealliance/preview2-shim/random';
import * as sockets from '@bytecodealliance/preview2-shim/sockets';
import { restoreWorker } from './deferred-io-worker.ts';

restoreWorker();

export { clocks, filesystem, http, io, random, sockets };
