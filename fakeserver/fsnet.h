/*
 * fsnet.h: listening sockets shared by the fake servers.
 */
#ifndef FOTASIM_FSNET_H
#define FOTASIM_FSNET_H

/* Listen on addr:port (0: ephemeral), non-blocking; fd, or -1 with *err. */
int	fsnet_listen(const char *what, const char *addr, int port, char **err);
/* The port a socket is bound to, or -1. */
int	fsnet_socket_port(int fd);

#endif
