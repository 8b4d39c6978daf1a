/* A custom runtime in C: answers every event with {"echo": <event>, "requestId": "<id>"}. */
#define _GNU_SOURCE
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static int connect_api(void) {
    char host[256];
    snprintf(host, sizeof host, "%s", getenv("AWS_LAMBDA_RUNTIME_API"));
    char *port = strchr(host, ':');
    *port++ = '\0';
    struct addrinfo hints = {0}, *found;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &found) != 0) exit(2);
    int fd = socket(found->ai_family, SOCK_STREAM, 0);
    if (connect(fd, found->ai_addr, found->ai_addrlen) != 0) exit(3);
    freeaddrinfo(found);
    return fd;
}

/* Sends one request and reads its response (headers, then Content-Length bytes) into buf. */
static void exchange(const char *head, const char *body, char *buf, size_t size) {
    int fd = connect_api();
    dprintf(fd, "%sContent-Length: %zu\r\n\r\n%s", head, strlen(body), body);
    size_t used = 0, want = 0;
    ssize_t got;
    char *end = NULL;
    while (used < size - 1 && (got = read(fd, buf + used, size - 1 - used)) > 0) {
        used += (size_t)got;
        buf[used] = '\0';
        if (!end && (end = strstr(buf, "\r\n\r\n")) != NULL) {
            char *length = strcasestr(buf, "Content-Length:");
            want = (size_t)(end + 4 - buf) + (length ? strtoul(length + 15, NULL, 10) : 0);
        }
        if (end && used >= want) break;
    }
    buf[used] = '\0';
    close(fd);
}

int main(void) {
    static char buf[1 << 20], reply[(1 << 20) + 256], head[512];
    for (;;) {
        exchange("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: runtime\r\n", "", buf, sizeof buf);
        char id[128] = "";
        char *line = strcasestr(buf, "Lambda-Runtime-Aws-Request-Id:");
        if (line) sscanf(line + 30, " %127[^\r\n]", id);
        char *event = strstr(buf, "\r\n\r\n");
        event = event ? event + 4 : "null";
        snprintf(reply, sizeof reply, "{\"echo\": %s, \"requestId\": \"%s\"}", event, id);
        snprintf(head, sizeof head, "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: runtime\r\n", id);
        exchange(head, reply, buf, sizeof buf);
    }
}
