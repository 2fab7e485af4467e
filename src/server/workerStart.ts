// Imported first by the browser server, so its mark says when the worker's bundle began to run:
// the time before it is the fetch and compile of the script, the time after it up to "bundle
// evaluated" the evaluation of its modules (TensorFlow.js registering its kernels, the op tables).
import { mark } from '../shared/timeline';

mark('server: worker created', performance.timeOrigin);
mark('server: bundle started');
