"""The imperative shell: the faust app, topics, agents, web, command line. The only place that knows Kafka."""
