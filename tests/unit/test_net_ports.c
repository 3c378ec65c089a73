/* Port specs (-p) and host port reservation on loopback. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/ports.h"
#include "tap.h"

static void test_parse(void)
{
        struct port_map *m = NULL;
        size_t n = 0;
        err_t err;

        ok(port_spec_parse("8080:80", &m, &n, &err) == 0 && n == 1, "HOST:CONTAINER");
        ok(m[0].host_port == 8080 && m[0].container_port == 80 && m[0].host_ip == 0 &&
               m[0].proto == IPPROTO_TCP,
           "fields of 8080:80");
        ok(port_spec_parse("127.0.0.1:5353:53/udp", &m, &n, &err) == 0 && n == 2, "IP:H:C/udp");
        ok(m[1].host_ip == 0x7f000001 && m[1].host_port == 5353 && m[1].container_port == 53 &&
               m[1].proto == IPPROTO_UDP,
           "fields of IP:H:C/udp");
        ok(port_spec_parse("80", &m, &n, &err) == 0 && n == 3 && m[2].host_port == 0,
           "container port only: any host port");
        ok(port_spec_parse("127.0.0.1::81", &m, &n, &err) == 0 && n == 4 && m[3].host_port == 0 &&
               m[3].host_ip == 0x7f000001,
           "IP::C");
        ok(port_spec_parse("9000-9002:7000-7002", &m, &n, &err) == 0 && n == 7, "range expands");
        ok(m[4].host_port == 9000 && m[6].host_port == 9002 && m[6].container_port == 7002 &&
               m[6].host_port_last == 9002,
           "ranges map one to one");
        ok(port_spec_parse("9100-9110:80", &m, &n, &err) == 0 && n == 8 && m[7].host_port == 9100 &&
               m[7].host_port_last == 9110,
           "host range with one container port picks from the range");
        free(m);
        m = NULL;
        n = 0;

        ok(port_spec_parse("80800:80", &m, &n, &err) < 0, "port too large");
        is_str(err.msg, "invalid port \"80800:80\": \"80800\" must be a port 1-65535",
               "message names the bad field");
        ok(port_spec_parse("80/sctp", &m, &n, &err) < 0, "sctp refused");
        ok(port_spec_parse("80/foo", &m, &n, &err) < 0, "bad proto refused");
        ok(port_spec_parse("1-3:5-6", &m, &n, &err) < 0, "range length mismatch refused");
        ok(port_spec_parse("[::1]:80:80", &m, &n, &err) < 0, "IPv6 refused");
        ok(port_spec_parse("a:b:c:d", &m, &n, &err) < 0, "too many fields");
        ok(port_spec_parse("1.2.3:80:80", &m, &n, &err) < 0, "bad IP");
        ok(port_spec_parse("0:80", &m, &n, &err) < 0, "port 0 refused");
        ok(port_spec_parse("1-2000", &m, &n, &err) < 0, "overlong range refused");
        ok(port_spec_parse("", &m, &n, &err) < 0, "empty refused");
        ok(n == 0, "failures append nothing");
        free(m);

        uint16_t p;
        uint8_t proto;
        ok(port_expose_parse("53/udp", &p, &proto, &err) == 0 && p == 53 && proto == IPPROTO_UDP,
           "EXPOSE 53/udp");
        ok(port_expose_parse("8080", &p, &proto, &err) == 0 && p == 8080 && proto == IPPROTO_TCP,
           "EXPOSE 8080");
}

static void test_reserve(void)
{
        struct port_map m[2] = {
            {.host_ip = 0x7f000001, .host_port = 0, .container_port = 80, .proto = IPPROTO_TCP},
            {.host_ip = 0x7f000001, .host_port = 0, .container_port = 53, .proto = IPPROTO_UDP},
        };
        int *fds = NULL;
        err_t err;

        ok(ports_reserve(m, 2, &fds, &err) == 0, "reserve ephemeral tcp+udp");
        ok(m[0].host_port != 0 && m[1].host_port != 0, "ports chosen");
        struct port_map again = {.host_ip = 0x7f000001,
                                 .host_port = m[0].host_port,
                                 .host_port_last = m[0].host_port,
                                 .container_port = 80,
                                 .proto = IPPROTO_TCP};
        int *fds2 = NULL;
        ok(ports_reserve(&again, 1, &fds2, &err) < 0, "second reservation of the same port fails");
        char want[128];
        snprintf(want, sizeof(want), "port %u is already in use (127.0.0.1:%u/tcp)", m[0].host_port,
                 m[0].host_port);
        is_str(err.msg, want, "conflict message names port and address");

        struct port_map range = {.host_ip = 0x7f000001,
                                 .host_port = m[0].host_port,
                                 .host_port_last = (uint16_t)(m[0].host_port + 5),
                                 .container_port = 80,
                                 .proto = IPPROTO_TCP};
        ok(ports_reserve(&range, 1, &fds2, &err) == 0 && range.host_port > m[0].host_port,
           "host range skips the busy port");
        close(fds2[0]);
        free(fds2);
        close(fds[0]);
        close(fds[1]);
        free(fds);
        ok(ports_reserve(&again, 1, &fds2, &err) == 0, "port free again after close");
        close(fds2[0]);
        free(fds2);
}

int main(void)
{
        test_parse();
        test_reserve();
        return tap_done();
}
