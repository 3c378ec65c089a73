/* Fuzz the DNS message parser and the responder (no sockets): any input must
 * be answered or dropped without a crash, and an answer must fit the limit
 * and carry the query's ID.  Input byte 0 picks UDP/TCP and the asker; when
 * its top bit is set the rest is a records file instead, which must build a
 * zone or fail cleanly (and a built zone must answer a fixed query). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns_wire.h"
#include "dns_zone.h"

static const char records[] =
    "{\"networks\": {"
    " \"n1\": {\"name\": \"proj_default\", \"gateway\": \"10.232.1.1\","
    "  \"endpoints\": ["
    "   {\"container\": \"c1\", \"ipv4\": \"10.232.1.2\", \"ipv6\": \"fd00::2\","
    "    \"names\": [\"proj-web-1\", \"web\", \"alias1\"]},"
    "   {\"container\": \"c2\", \"ipv4\": \"10.232.1.3\", \"names\": [\"proj-web-2\", \"web\"]}]},"
    " \"n2\": {\"name\": \"back\", \"gateway\": \"10.232.2.1\", \"internal\": true,"
    "  \"endpoints\": [{\"container\": \"c1\", \"ipv4\": \"10.232.2.2\", \"names\": [\"db\"]}]}},"
    " \"forward\": {\"enabled\": true, \"servers\": [\"127.0.0.1:5353\"]},"
    " \"search\": [\"corp.example\"]}";

static dns_zone_t *zone;
static uint8_t out[DNS_TCP_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (!zone) {
                json_t *j = json_loads(records, 0, NULL);
                err_t err;
                if (!j || dns_zone_build(j, &zone, &err) < 0)
                        abort();
                json_decref(j);
        }
        if (size < 1)
                return 0;
        if (data[0] & 0x80) {
                json_t *j = json_loadb((const char *)data + 1, size - 1, 0, NULL);
                dns_zone_t *z = NULL;
                err_t err;
                if (j && dns_zone_build(j, &z, &err) == 0) {
                        static const uint8_t q[] = {0, 1, 1,   0,   0,   1, 0, 0, 0, 0, 0,
                                                    0, 3, 'w', 'e', 'b', 0, 0, 1, 0, 1};
                        dns_addr_t c = {.family = AF_INET, .a = {10, 232, 1, 2}};
                        size_t olen;
                        dns_zone_respond(z, &c, q, sizeof(q), false, out, sizeof(out), &olen);
                        dns_zone_free(z);
                }
                json_decref(j);
                return 0;
        }
        bool tcp = data[0] & 1;
        dns_addr_t c;
        memset(&c, 0, sizeof(c));
        c.family = AF_INET;
        c.a[0] = 10;
        c.a[1] = 232;
        c.a[2] = 1;
        c.a[3] = (uint8_t)(2 + ((data[0] >> 1) & 3)); /* .2, .3, .4 (unknown), .5 */
        data++;
        size--;

        dns_query_t q;
        dns_query_parse(data, size, &q);
        size_t olen = 0;
        dns_action_t act = dns_zone_respond(zone, &c, data, size, tcp, out, sizeof(out), &olen);
        if (act == DNS_ACT_REPLY) {
                size_t lim = tcp ? DNS_TCP_MAX : DNS_EDNS_MAX;
                if (olen < DNS_HDR_LEN || olen > lim || memcmp(out, data, 2) != 0)
                        abort();
                /* our own answer must parse back */
                size_t off = DNS_HDR_LEN;
                char name[DNS_NAME_MAX + 1];
                if (dns_get16(out + 4) == 1 && dns_name_read(out, olen, &off, name, NULL) < 0)
                        abort();
        }
        size_t n = dns_zone_servfail(data, size, tcp, out, sizeof(out));
        if (n > (tcp ? DNS_TCP_MAX : DNS_EDNS_MAX))
                abort();
        return 0;
}
