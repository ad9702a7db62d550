/* ca_cmd.c — `faceclock ca-init` and `faceclock ca-crl` (docs/iot.md
 * "Certificates"): make the devices' CA under FACECLOCK_STATE_DIR when
 * there is none (as `serve` does at start; scripts/stack.sh runs it
 * before nginx, which reads the CA certificate and the CRL) and print
 * where its certificate is; and write the CRL again from the database
 * (each revocation does; run it when the CRL nears its expiry, a year
 * after the last revocation). Exit 1 on a failure, 2 on bad usage. */
#include <stdio.h>
#include "app/commands.h"
#include "ca.h"
#include "cert_store.h"
#include "config.h"
#include "db.h"

int cmd_ca_init(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: faceclock ca-init\n");
        return 2;
    }
    if (ca_ensure(g_config.state_dir, "faceclock device CA") < 0)
        return 1;
    printf("ca-init: %s/ca/cert.pem, CRL %s/crl.pem\n", g_config.state_dir, g_config.state_dir);
    return 0;
}

int cmd_ca_crl(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: faceclock ca-crl\n");
        return 2;
    }
    db_init(g_config.database_url);
    int rc = db_simple("SET client_encoding = 'UTF8'") < 0 ? -1 : device_crl_write();
    db_close();
    if (rc < 0) {
        fprintf(stderr, "ca-crl: the CRL was not written\n");
        return 1;
    }
    printf("ca-crl: %s/crl.pem\n", g_config.state_dir);
    return 0;
}
