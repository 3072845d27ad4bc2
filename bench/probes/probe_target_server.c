// The probed side of probe_load_bench.sh: an HTTP/1.x server on one epoll loop that answers
// every request with 200 "ok" and closes. busybox httpd forks a child per connection: at 1,000
// probes/s on 2 cores those forks, contending with runc's cgroup moves while 600 containers
// start, made the probes time out for minutes. Built with gcc -static into the bench's image.
//
//   probe-target-server PORT
#define _GNU_SOURCE  // accept4
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { kBuf = 2048 };

struct conn {
  int fd;
  size_t len;
  char buf[kBuf];
};

static const char kResponse[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";

static void drop(int ep, struct conn* c) {
  epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  free(c);
}

int main(int argc, char** argv) {
  int port = argc > 1 ? atoi(argv[1]) : 8080;
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port), .sin_addr = {INADDR_ANY}, .sin_zero = {0}};
  if (ls < 0 || bind(ls, (struct sockaddr*)&a, sizeof a) != 0 || listen(ls, 1024) != 0) {
    perror("probe-target-server: listen");
    return 1;
  }
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data = {.ptr = NULL}};
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  struct epoll_event events[64];
  for (;;) {
    int n = epoll_wait(ep, events, 64, -1);
    if (n < 0 && errno == EINTR) continue;
    for (int i = 0; i < n; ++i) {
      struct conn* c = events[i].data.ptr;
      if (c == NULL) {  // the listener
        int fd;
        while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          struct conn* nc = calloc(1, sizeof *nc);
          if (nc == NULL) { close(fd); continue; }
          nc->fd = fd;
          struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data = {.ptr = nc}};
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
        }
        continue;
      }
      ssize_t r = read(c->fd, c->buf + c->len, kBuf - 1 - c->len);
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        drop(ep, c);
        continue;
      }
      c->len += (size_t)r;
      c->buf[c->len] = 0;
      // The request's head is complete (probes send no body), or too long to be a probe's.
      if (strstr(c->buf, "\r\n\r\n") != NULL || c->len >= kBuf - 1) {
        if (write(c->fd, kResponse, sizeof kResponse - 1) < 0) {
          // Gone already: nothing to answer.
        }
        drop(ep, c);
      }
    }
  }
}
