<?xml version="1.0" encoding="utf-8"?>
<!-- Shows an RSS 2.0 or Atom feed of broadsheet as a page a person can read, in the feed's own
     language (zh-Hant or English), with how to subscribe. Feed readers ignore it. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:atom="http://www.w3.org/2005/Atom" exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" indent="no"
              doctype-system="about:legacy-compat"/>

  <xsl:variable name="lang" select="string(/rss/channel/language | /atom:feed/@xml:lang)"/>
  <xsl:variable name="zh" select="starts-with($lang, 'zh')"/>
  <xsl:variable name="title" select="string(/rss/channel/title | /atom:feed/atom:title)"/>
  <xsl:variable name="description" select="string(/rss/channel/description | /atom:feed/atom:subtitle)"/>
  <xsl:variable name="home" select="string(/rss/channel/link | /atom:feed/atom:link[@rel='alternate']/@href)"/>
  <xsl:variable name="self"
                select="string(/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href)"/>

  <xsl:template match="/">
    <html lang="{$lang}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title>
          <xsl:value-of select="$title"/>
          <xsl:choose><xsl:when test="$zh"> · 訂閱</xsl:when><xsl:otherwise> · Subscribe</xsl:otherwise></xsl:choose>
        </title>
        <style>
          :root { color-scheme: light dark; --bg: #fdfcf9; --fg: #1d1d1f; --muted: #5b5b63; --rule: #dedad2;
                  --accent: #0b5cad; --box: #f3f0e8; }
          @media (prefers-color-scheme: dark) {
            :root { --bg: #15161a; --fg: #e8e6e1; --muted: #a8a6a0; --rule: #34353b; --accent: #7cb8ff; --box: #23242a; }
          }
          body { margin: 0; background: var(--bg); color: var(--fg); line-height: 1.7; font-size: 1.0625rem;
                 font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans TC", "Noto Sans CJK TC",
                              "PingFang TC", "Microsoft JhengHei", sans-serif; }
          main { max-width: 42rem; margin: 0 auto; padding: 1.5rem 1.1rem 3rem; }
          a { color: var(--accent); }
          h1 { font-size: 1.6rem; line-height: 1.35; margin: 0.3rem 0; }
          .about { background: var(--box); border-radius: 6px; padding: 0.6rem 1.1rem; margin: 1.2rem 0; }
          .about p { margin: 0.5rem 0; }
          .address { display: block; width: 100%; font: inherit; font-size: 0.92rem; padding: 0.4rem 0.5rem;
                     border: 1px solid var(--rule); border-radius: 4px; background: var(--bg); color: var(--fg); }
          ol { list-style: none; padding: 0; }
          li { padding: 0.8rem 0; border-bottom: 1px solid var(--rule); }
          li h3 { font-size: 1.15rem; margin: 0.2rem 0; line-height: 1.4; }
          time, .muted { color: var(--muted); font-size: 0.92rem; }
        </style>
      </head>
      <body>
        <main>
          <p class="muted">
            <xsl:choose>
              <xsl:when test="$zh">網站訂閱來源（<xsl:value-of select="substring('RSSAtom', 1 + 3 * boolean(/atom:feed), 3 + boolean(/atom:feed))"/>）</xsl:when>
              <xsl:otherwise>Web feed (<xsl:value-of select="substring('RSSAtom', 1 + 3 * boolean(/atom:feed), 3 + boolean(/atom:feed))"/>)</xsl:otherwise>
            </xsl:choose>
          </p>
          <h1><xsl:value-of select="$title"/></h1>
          <p><xsl:value-of select="$description"/></p>
          <section class="about" aria-labelledby="how">
            <xsl:choose>
              <xsl:when test="$zh">
                <h2 id="how">如何訂閱</h2>
                <p>這是一份訂閱來源（feed）：把下面的網址貼進您的閱讀器（例如 Feedly、Inoreader、NetNewsWire
                  或 Thunderbird），每週新的一期就會自動送到。您也可以用 RSS 轉寄電子郵件的服務收到信件版。</p>
                <label for="address">訂閱網址</label>
              </xsl:when>
              <xsl:otherwise>
                <h2 id="how">How to subscribe</h2>
                <p>This is a web feed: paste the address below into a feed reader (Feedly, Inoreader,
                  NetNewsWire or Thunderbird, for example) and each new weekly issue arrives by itself.
                  An RSS-to-email service can mail it to you instead.</p>
                <label for="address">Feed address</label>
              </xsl:otherwise>
            </xsl:choose>
            <input id="address" class="address" type="text" readonly="readonly" value="{$self}"/>
            <p>
              <a href="{$home}">
                <xsl:choose><xsl:when test="$zh">前往網站</xsl:when><xsl:otherwise>Visit the site</xsl:otherwise></xsl:choose>
              </a>
            </p>
          </section>
          <h2>
            <xsl:choose><xsl:when test="$zh">最新各期</xsl:when><xsl:otherwise>Latest issues</xsl:otherwise></xsl:choose>
          </h2>
          <ol>
            <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
          </ol>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <li>
      <time>
        <xsl:choose>
          <xsl:when test="$zh"><!-- "Sun, 13 Apr 2025 …" → 2025年4月13日 -->
            <xsl:value-of select="substring(pubDate, 13, 4)"/>年<xsl:value-of
              select="string-length(substring-before('JanFebMarAprMayJunJulAugSepOctNovDec', substring(pubDate, 9, 3))) div 3 + 1"/>月<xsl:value-of
              select="number(substring(pubDate, 6, 2))"/>日</xsl:when>
          <xsl:otherwise><xsl:value-of select="substring(pubDate, 6, 11)"/></xsl:otherwise>
        </xsl:choose>
      </time>
      <h3><a href="{link}"><xsl:value-of select="title"/></a></h3>
      <p><xsl:call-template name="html-text"><xsl:with-param name="html" select="string(description)"/></xsl:call-template></p>
    </li>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li>
      <time datetime="{atom:published}"><xsl:value-of select="substring(atom:published, 1, 10)"/></time>
      <h3><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h3>
      <p><xsl:call-template name="html-text"><xsl:with-param name="html" select="string(atom:summary)"/></xsl:call-template></p>
    </li>
  </xsl:template>

  <!-- An item's summary is escaped HTML (outputs/feeds.py: readers read a description as HTML, so
       the summary's text is written with &amp; &lt; &gt;): shown here as the text it stands for,
       as text, one entity at a time (XSLT 1.0 has no replace(); disable-output-escaping is not
       in every browser, and would make it markup). -->
  <xsl:template name="html-text">
    <xsl:param name="html"/>
    <xsl:choose>
      <xsl:when test="contains($html, '&amp;')">
        <xsl:value-of select="substring-before($html, '&amp;')"/>
        <xsl:variable name="rest" select="substring-after($html, '&amp;')"/>
        <xsl:variable name="entity" select="substring-before($rest, ';')"/>
        <xsl:choose>
          <xsl:when test="$entity = 'amp'">&amp;</xsl:when>
          <xsl:when test="$entity = 'lt'">&lt;</xsl:when>
          <xsl:when test="$entity = 'gt'">&gt;</xsl:when>
          <xsl:otherwise>&amp;</xsl:otherwise>
        </xsl:choose>
        <xsl:call-template name="html-text">
          <xsl:with-param name="html" select="substring($rest, 1 + (string-length($entity) + 1)
            * number($entity = 'amp' or $entity = 'lt' or $entity = 'gt'))"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$html"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
