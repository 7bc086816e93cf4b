// Start @20minutes/s3rver from its CLI module (the package has no
// executable).  Run with NODE_OPTIONS=--openssl-legacy-provider.
require('@20minutes/s3rver/lib/cli').parseAsync(process.argv);
