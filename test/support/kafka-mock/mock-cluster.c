/*
 * A Kafka cluster for tests: librdkafka's mock cluster (rdkafka_mock.h) in a process.
 *
 *   mock-cluster [brokers=N] [topic:partitions ...]
 *
 * Listens on 127.0.0.1, random ports; prints the bootstrap servers ("127.0.0.1:port,...")
 * as one line on stdout once the topics exist, then runs until stdin closes or it gets
 * SIGTERM/SIGINT. Meanwhile it takes commands on stdin, one per line, and answers each
 * with one line, "ok" or "error <why>":
 *
 *   down <broker id>   close the broker's connections and refuse new ones (-1: all)
 *   up <broker id>     accept connections again
 *
 * Broker ids are 1..N. Neither moves partition leadership.
 *
 * The mock supports produce, fetch, consumer groups with offset commits and metadata with
 * topic auto-creation; it has no admin API (CreateTopics), hence the topics given here.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

/* Topics are created from several threads at once: each rd_kafka_mock_topic_create
 * waits for the mock thread, which at times sleeps up to 1 s before it serves an op;
 * one at a time, a few hundred topics took 40 s. */
#define THREADS 16
struct work { rd_kafka_mock_cluster_t *mcluster; int argc, first; char **argv; rd_kafka_resp_err_t err; };
static void *create_topics(void *arg) {
  struct work *w = arg;
  for (int i = w->first; i < w->argc && !w->err; i += THREADS) {
    if (strncmp(w->argv[i], "brokers=", 8) == 0) continue;
    char *colon = strrchr(w->argv[i], ':');
    int partitions = colon ? atoi(colon + 1) : 1;
    if (colon) *colon = '\0';
    w->err = rd_kafka_mock_topic_create(w->mcluster, w->argv[i], partitions > 0 ? partitions : 1, 1);
    if (w->err) fprintf(stderr, "mock-cluster: topic %s: %s\n", w->argv[i], rd_kafka_err2str(w->err));
  }
  return NULL;
}

/* One stdin command; the answer is one line on stdout. */
static void command(rd_kafka_mock_cluster_t *mcluster, const char *line) {
  char verb[16];
  int id;
  rd_kafka_resp_err_t err;
  if (sscanf(line, "%15s %d", verb, &id) != 2) {
    printf("error expected 'down <id>' or 'up <id>'\n");
  } else if (strcmp(verb, "down") == 0 || strcmp(verb, "up") == 0) {
    err = verb[0] == 'd' ? rd_kafka_mock_broker_set_down(mcluster, id) : rd_kafka_mock_broker_set_up(mcluster, id);
    if (err) printf("error %s\n", rd_kafka_err2str(err));
    else printf("ok\n");
  } else {
    printf("error unknown command '%s'\n", verb);
  }
  fflush(stdout);
}

int main(int argc, char **argv) {
  char err[512];
  int brokers = 1;
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err) != RD_KAFKA_CONF_OK) goto fail;
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) goto fail;
  for (int i = 1; i < argc; i++)
    if (strncmp(argv[i], "brokers=", 8) == 0) brokers = atoi(argv[i] + 8);
  rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mcluster) { snprintf(err, sizeof err, "rd_kafka_mock_cluster_new failed"); goto fail; }
  struct work work[THREADS];
  pthread_t threads[THREADS];
  for (int t = 0; t < THREADS; t++) {
    work[t] = (struct work){mcluster, argc, 1 + t, argv, 0};
    pthread_create(&threads[t], NULL, create_topics, &work[t]);
  }
  for (int t = 0; t < THREADS; t++) {
    pthread_join(threads[t], NULL);
    if (work[t].err) { snprintf(err, sizeof err, "cannot create the topics"); goto fail; }
  }
  struct sigaction sa = {0};
  sa.sa_handler = on_signal; /* no SA_RESTART: read() returns EINTR */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  printf("%s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
  fflush(stdout);
  char line[256];
  size_t len = 0;
  while (!stop) {
    ssize_t n = read(STDIN_FILENO, line + len, sizeof line - 1 - len);
    if (n == 0 || (n < 0 && errno != EINTR)) break;
    if (n < 0) continue;
    len += (size_t)n;
    char *end;
    while ((end = memchr(line, '\n', len))) {
      *end = '\0';
      command(mcluster, line);
      len -= (size_t)(end + 1 - line);
      memmove(line, end + 1, len);
    }
    if (len == sizeof line - 1) len = 0; /* a line too long to be a command */
  }
  rd_kafka_mock_cluster_destroy(mcluster);
  rd_kafka_destroy(rk);
  return 0;
fail:
  fprintf(stderr, "mock-cluster: %s\n", err);
  return 1;
}
