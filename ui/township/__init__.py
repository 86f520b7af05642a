"""镇级汇总: the township's page (figures by 片区 and village, received 上报 packages, township ledgers)."""
